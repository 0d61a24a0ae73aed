<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<TS version="2.1" language="de_DE">
<context>
    <name>ConnectionBar</name>
    <message>
        <source>&amp;URL:</source>
        <translation>&amp;URL:</translation>
    </message>
    <message>
        <source>ws:// or wss:// URL of the server (recently used ones in the list)</source>
        <translation>ws://- oder wss://-URL des Servers (zuletzt verwendete stehen in der Liste)</translation>
    </message>
    <message>
        <source>&amp;Connect</source>
        <translation>Ver&amp;binden</translation>
    </message>
    <message>
        <source>Connection state</source>
        <translation>Verbindungszustand</translation>
    </message>
    <message>
        <source>Auto-pong</source>
        <translation>Auto-Pong</translation>
    </message>
    <message>
        <source>Answer every ping with a pong while the connection is open</source>
        <translation>Jeden Ping mit einem Pong beantworten, solange die Verbindung offen ist</translation>
    </message>
    <message>
        <source>Auto-close reply</source>
        <translation>Auto-Close-Antwort</translation>
    </message>
    <message>
        <source>Answer the server&apos;s close frame with close 1000</source>
        <translation>Den Close-Frame des Servers mit Close 1000 beantworten</translation>
    </message>
    <message>
        <source>Settings…</source>
        <translation>Einstellungen…</translation>
    </message>
    <message>
        <source>Handshake headers, subprotocols, TLS and timeouts</source>
        <translation>Handshake-Header, Subprotokolle, TLS und Timeouts</translation>
    </message>
</context>
<context>
    <name>ConnectionSettingsDialog</name>
    <message>
        <source>Connection Settings</source>
        <translation>Verbindungseinstellungen</translation>
    </message>
    <message>
        <source>Handshake</source>
        <translation>Handshake</translation>
    </message>
    <message>
        <source>Extra headers:</source>
        <translation>Zusätzliche Header:</translation>
    </message>
    <message>
        <source>Sent after the standard headers, in order. A header with a standard name replaces that header.</source>
        <translation>Werden der Reihe nach hinter den Standard-Headern gesendet. Ein Header mit dem Namen eines Standard-Headers ersetzt diesen.</translation>
    </message>
    <message>
        <source>Name</source>
        <translation>Name</translation>
    </message>
    <message>
        <source>Value</source>
        <translation>Wert</translation>
    </message>
    <message>
        <source>Add header</source>
        <translation>Header hinzufügen</translation>
    </message>
    <message>
        <source>Remove header</source>
        <translation>Header entfernen</translation>
    </message>
    <message>
        <source>Subprotocols:</source>
        <translation>Subprotokolle:</translation>
    </message>
    <message>
        <source>comma-separated, e.g. chat, superchat</source>
        <translation>durch Kommas getrennt, z. B. chat, superchat</translation>
    </message>
    <message>
        <source>Extensions:</source>
        <translation>Erweiterungen:</translation>
    </message>
    <message>
        <source>comma-separated offers, e.g. permessage-deflate</source>
        <translation>durch Kommas getrennte Angebote, z. B. permessage-deflate</translation>
    </message>
    <message>
        <source>Origin:</source>
        <translation>Origin:</translation>
    </message>
    <message>
        <source>no Origin header</source>
        <translation>kein Origin-Header</translation>
    </message>
    <message>
        <source>Version:</source>
        <translation>Version:</translation>
    </message>
    <message>
        <source>Key:</source>
        <translation>Schlüssel:</translation>
    </message>
    <message>
        <source>random for each connection</source>
        <translation>zufällig für jede Verbindung</translation>
    </message>
    <message>
        <source>Raw request:</source>
        <translation>Rohe Anfrage:</translation>
    </message>
    <message>
        <source>Sent exactly as typed instead of the built request. Lines end with CR LF; end the request with an empty line.</source>
        <translation>Wird genau wie eingegeben statt der erzeugten Anfrage gesendet. Zeilen enden mit CR LF; beenden Sie die Anfrage mit einer Leerzeile.</translation>
    </message>
    <message>
        <source>TLS</source>
        <translation>TLS</translation>
    </message>
    <message>
        <source>Ignore certificate errors (they are still recorded)</source>
        <translation>Zertifikatsfehler ignorieren (sie werden trotzdem aufgezeichnet)</translation>
    </message>
    <message>
        <source>CA file:</source>
        <translation>CA-Datei:</translation>
    </message>
    <message>
        <source>system certificates only</source>
        <translation>nur Systemzertifikate</translation>
    </message>
    <message>
        <source>Browse…</source>
        <translation>Durchsuchen…</translation>
    </message>
    <message>
        <source>Behaviour</source>
        <translation>Verhalten</translation>
    </message>
    <message>
        <source>Opening handshake timeout:</source>
        <translation>Timeout für den Öffnungs-Handshake:</translation>
    </message>
    <message>
        <source> s</source>
        <translation> s</translation>
    </message>
    <message>
        <source>Closing handshake timeout:</source>
        <translation>Timeout für den Schließ-Handshake:</translation>
    </message>
    <message>
        <source>Server TCP drop timeout:</source>
        <translation>Timeout für den TCP-Abbau durch den Server:</translation>
    </message>
    <message>
        <source>Size limit for received frames:</source>
        <translation>Größenlimit für empfangene Frames:</translation>
    </message>
    <message>
        <source> MiB</source>
        <translation> MiB</translation>
    </message>
    <message>
        <source>Fail the connection when the server breaks RFC 6455 (close 1002/1007/1009)</source>
        <translation>Verbindung fehlschlagen lassen, wenn der Server gegen RFC 6455 verstößt (Close 1002/1007/1009)</translation>
    </message>
    <message>
        <source>Trace storage:</source>
        <translation>Trace-Speicher:</translation>
    </message>
    <message>
        <source>What the trace of one connection stores at most: octets, payloads and the records of frames and chunks</source>
        <translation>Was der Trace einer Verbindung höchstens speichert: Oktette, Nutzdaten und die Einträge von Frames und Blöcken</translation>
    </message>
    <message>
        <source>Past it, octets and frames are counted, not stored: the statistics stay exact, and the log and the Statistics panel say where storage stopped. The program&apos;s memory stays below this budget plus about 64 MiB, whatever the server sends.</source>
        <translation>Darüber hinaus werden Oktette und Frames gezählt, nicht gespeichert: Die Statistik bleibt exakt, und das Protokoll und die Statistik-Ansicht zeigen, wo das Speichern endete. Der Speicherbedarf des Programms bleibt unter diesem Budget plus etwa 64 MiB, was auch immer der Server sendet.</translation>
    </message>
    <message>
        <source>Offers sent exactly as typed, in order, comma-separated. An offer that names permessage-deflate here takes precedence over the Compression tab&apos;s offer, which is then not added; otherwise the Compression tab&apos;s offer comes first.</source>
        <translation>Angebote werden genau wie eingegeben gesendet, in dieser Reihenfolge, durch Kommas getrennt. Ein Angebot, das hier permessage-deflate nennt, hat Vorrang vor dem Angebot des Tabs Komprimierung, das dann nicht hinzugefügt wird; sonst steht das Angebot des Tabs Komprimierung an erster Stelle.</translation>
    </message>
    <message>
        <source>Compression</source>
        <translation>Komprimierung</translation>
    </message>
    <message>
        <source>Offer permessage-deflate (RFC 7692)</source>
        <translation>permessage-deflate anbieten (RFC 7692)</translation>
    </message>
    <message>
        <source>Adds a permessage-deflate offer built from these parameters to Sec-WebSocket-Extensions. An offer typed in the Extensions field of the Handshake tab that names permessage-deflate takes precedence: then this offer is not added.</source>
        <translation>Fügt Sec-WebSocket-Extensions ein aus diesen Parametern gebautes permessage-deflate-Angebot hinzu. Ein im Feld Erweiterungen des Tabs Handshake eingegebenes Angebot, das permessage-deflate nennt, hat Vorrang: Dann wird dieses Angebot nicht hinzugefügt.</translation>
    </message>
    <message>
        <source>client_no_context_takeover: we compress each message afresh</source>
        <translation>client_no_context_takeover: wir komprimieren jede Nachricht von Neuem</translation>
    </message>
    <message>
        <source>RFC 7692 §7.1.1.2: a hint that the client will not keep its LZ77 window between messages</source>
        <translation>RFC 7692 §7.1.1.2: ein Hinweis, dass der Client sein LZ77-Fenster zwischen Nachrichten nicht behält</translation>
    </message>
    <message>
        <source>server_no_context_takeover: ask the server to compress each message afresh</source>
        <translation>server_no_context_takeover: den Server bitten, jede Nachricht von Neuem zu komprimieren</translation>
    </message>
    <message>
        <source>RFC 7692 §7.1.1.1: the server must not keep its LZ77 window between messages</source>
        <translation>RFC 7692 §7.1.1.1: der Server darf sein LZ77-Fenster zwischen Nachrichten nicht behalten</translation>
    </message>
    <message>
        <source>client_max_window_bits:</source>
        <translation>client_max_window_bits:</translation>
    </message>
    <message>
        <source>RFC 7692 §7.1.2.2: without a value the server may choose the window we compress with; with a value it may choose at most that</source>
        <translation>RFC 7692 §7.1.2.2: ohne Wert darf der Server das Fenster wählen, mit dem wir komprimieren; mit Wert darf er höchstens diesen wählen</translation>
    </message>
    <message>
        <source>server_max_window_bits:</source>
        <translation>server_max_window_bits:</translation>
    </message>
    <message>
        <source>RFC 7692 §7.1.2.1: the largest LZ77 window the server may compress with</source>
        <translation>RFC 7692 §7.1.2.1: das größte LZ77-Fenster, mit dem der Server komprimieren darf</translation>
    </message>
    <message>
        <source>Offer:</source>
        <translation>Angebot:</translation>
    </message>
    <message>
        <source>Client certificate:</source>
        <translation>Client-Zertifikat:</translation>
    </message>
    <message>
        <source>none (PEM: the certificate, then any intermediates)</source>
        <translation>keines (PEM: das Zertifikat, dann etwaige Zwischenzertifikate)</translation>
    </message>
    <message>
        <source>For servers that ask for a client certificate (mutual TLS)</source>
        <translation>Für Server, die ein Client-Zertifikat verlangen (Mutual TLS)</translation>
    </message>
    <message>
        <source>Client key:</source>
        <translation>Client-Schlüssel:</translation>
    </message>
    <message>
        <source>in the certificate file (PEM, unencrypted)</source>
        <translation>in der Zertifikatsdatei (PEM, unverschlüsselt)</translation>
    </message>
    <message>
        <source>Server name (SNI):</source>
        <translation>Servername (SNI):</translation>
    </message>
    <message>
        <source>The name sent in the TLS handshake (RFC 6066 §3); a name given here is also the one the server&apos;s certificate is checked against</source>
        <translation>Der im TLS-Handshake gesendete Name (RFC 6066 §3); gegen einen hier angegebenen Namen wird auch das Zertifikat des Servers geprüft</translation>
    </message>
    <message>
        <source>e.g. example.com</source>
        <translation>z. B. example.com</translation>
    </message>
    <message>
        <source>ALPN:</source>
        <translation>ALPN:</translation>
    </message>
    <message>
        <source>none offered</source>
        <translation>keines angeboten</translation>
    </message>
    <message>
        <source>Protocols offered (RFC 7301), comma-separated, in order of preference. Browsers offer http/1.1 for a WebSocket.</source>
        <translation>Angebotene Protokolle (RFC 7301), durch Kommas getrennt, nach Präferenz geordnet. Browser bieten für einen WebSocket http/1.1 an.</translation>
    </message>
    <message>
        <source>TLS version:</source>
        <translation>TLS-Version:</translation>
    </message>
    <message>
        <source>Key log file:</source>
        <translation>Key-Log-Datei:</translation>
    </message>
    <message>
        <source>none</source>
        <translation>keine</translation>
    </message>
    <message>
        <source>The session secrets are appended to this file (SSLKEYLOGFILE format), so that Wireshark can decrypt a capture of the connection</source>
        <translation>Die Sitzungsgeheimnisse werden an diese Datei angehängt (SSLKEYLOGFILE-Format), damit Wireshark einen Mitschnitt der Verbindung entschlüsseln kann</translation>
    </message>
    <message>
        <source>Proxy</source>
        <translation>Proxy</translation>
    </message>
    <message>
        <source>Proxy URL:</source>
        <translation>Proxy-URL:</translation>
    </message>
    <message>
        <source>none, system, http://host:port or socks5://user:password@host:port</source>
        <translation>none, system, http://host:port oder socks5://user:password@host:port</translation>
    </message>
    <message>
        <source>The proxy as one URL; the fields below follow it (and it follows them)</source>
        <translation>Der Proxy als eine URL; die Felder darunter folgen ihr (und sie folgt ihnen)</translation>
    </message>
    <message>
        <source>Proxy:</source>
        <translation>Proxy:</translation>
    </message>
    <message>
        <source>Host:</source>
        <translation>Host:</translation>
    </message>
    <message>
        <source>e.g. proxy.example or 127.0.0.1</source>
        <translation>z. B. proxy.example oder 127.0.0.1</translation>
    </message>
    <message>
        <source>Port:</source>
        <translation>Port:</translation>
    </message>
    <message>
        <source>User:</source>
        <translation>Benutzer:</translation>
    </message>
    <message>
        <source>no authentication</source>
        <translation>keine Authentifizierung</translation>
    </message>
    <message>
        <source>Password:</source>
        <translation>Passwort:</translation>
    </message>
</context>
<context>
    <name>MainWindow</name>
    <message>
        <source>WebSocket Inspector</source>
        <translation>WebSocket Inspector</translation>
    </message>
    <message>
        <source>&amp;File</source>
        <translation>&amp;Datei</translation>
    </message>
    <message>
        <source>&amp;Connection</source>
        <translation>&amp;Verbindung</translation>
    </message>
    <message>
        <source>&amp;Send</source>
        <translation>&amp;Senden</translation>
    </message>
    <message>
        <source>&amp;View</source>
        <translation>&amp;Ansicht</translation>
    </message>
    <message>
        <source>&amp;Theme</source>
        <translation>&amp;Farbschema</translation>
    </message>
    <message>
        <source>&amp;Help</source>
        <translation>&amp;Hilfe</translation>
    </message>
    <message>
        <source>&amp;Open Scenario…</source>
        <translation>Szenario ö&amp;ffnen…</translation>
    </message>
    <message>
        <source>Load a saved sequence of steps</source>
        <translation>Eine gespeicherte Schrittfolge laden</translation>
    </message>
    <message>
        <source>&amp;Save Scenario…</source>
        <translation>Szenario &amp;speichern…</translation>
    </message>
    <message>
        <source>Save the sequence with the connection settings</source>
        <translation>Die Sequenz mit den Verbindungseinstellungen speichern</translation>
    </message>
    <message>
        <source>Export &amp;Report…</source>
        <translation>Be&amp;richt exportieren…</translation>
    </message>
    <message>
        <source>Save the text report (as the seeds&apos; layout)</source>
        <translation>Den Textbericht speichern (im Layout der Seed-Berichte)</translation>
    </message>
    <message>
        <source>Export &amp;JSON…</source>
        <translation>&amp;JSON exportieren…</translation>
    </message>
    <message>
        <source>Save the Autobahn-compatible per-case JSON</source>
        <translation>Das Autobahn-kompatible JSON pro Testfall speichern</translation>
    </message>
    <message>
        <source>&amp;Quit</source>
        <translation>&amp;Beenden</translation>
    </message>
    <message>
        <source>&amp;Connect</source>
        <translation>&amp;Verbinden</translation>
    </message>
    <message>
        <source>Connect to the URL</source>
        <translation>Mit der URL verbinden</translation>
    </message>
    <message>
        <source>&amp;Disconnect</source>
        <translation>&amp;Trennen</translation>
    </message>
    <message>
        <source>Close the connection (close 1000, or drop TCP while closing)</source>
        <translation>Die Verbindung schließen (Close 1000, oder TCP kappen, wenn sie bereits geschlossen wird)</translation>
    </message>
    <message>
        <source>Connection &amp;Settings…</source>
        <translation>Verbindungs&amp;einstellungen…</translation>
    </message>
    <message>
        <source>Handshake, TLS and timeouts</source>
        <translation>Handshake, TLS und Timeouts</translation>
    </message>
    <message>
        <source>Send the frame in the composer</source>
        <translation>Den Frame aus dem Editor senden</translation>
    </message>
    <message>
        <source>&amp;Close (1000)</source>
        <translation>&amp;Schließen (1000)</translation>
    </message>
    <message>
        <source>Start the closing handshake with code 1000</source>
        <translation>Den Schließ-Handshake mit Code 1000 beginnen</translation>
    </message>
    <message>
        <source>&amp;Fail Connection</source>
        <translation>Verbindung fehlschlagen &amp;lassen</translation>
    </message>
    <message>
        <source>Close 1001 Going Away; drop TCP when already closing</source>
        <translation>Close 1001 (Endpunkt geht weg); TCP kappen, wenn die Verbindung bereits geschlossen wird</translation>
    </message>
    <message>
        <source>&amp;Drop TCP</source>
        <translation>TCP &amp;kappen</translation>
    </message>
    <message>
        <source>Abort the TCP connection at once</source>
        <translation>Die TCP-Verbindung sofort abbrechen</translation>
    </message>
    <message>
        <source>&amp;Half-close</source>
        <translation>&amp;Halbschließen</translation>
    </message>
    <message>
        <source>Shut down the sending side (TCP FIN)</source>
        <translation>Die Senderichtung schließen (TCP FIN)</translation>
    </message>
    <message>
        <source>&amp;Run Sequence</source>
        <translation>Sequenz &amp;ausführen</translation>
    </message>
    <message>
        <source>Run the steps of the sequence in order</source>
        <translation>Die Schritte der Sequenz der Reihe nach ausführen</translation>
    </message>
    <message>
        <source>C&amp;lear</source>
        <translation>&amp;Leeren</translation>
    </message>
    <message>
        <source>&amp;Follow New Entries</source>
        <translation>Neuen Einträgen f&amp;olgen</translation>
    </message>
    <message>
        <source>Keep the newest rows in view while at the bottom</source>
        <translation>Die neuesten Zeilen im Blick behalten, solange die Ansicht am Ende steht</translation>
    </message>
    <message>
        <source>&amp;System</source>
        <translation>&amp;System</translation>
    </message>
    <message>
        <source>Follow the system&apos;s light or dark palette</source>
        <translation>Der hellen oder dunklen Palette des Systems folgen</translation>
    </message>
    <message>
        <source>&amp;Light</source>
        <translation>&amp;Hell</translation>
    </message>
    <message>
        <source>&amp;Dark</source>
        <translation>&amp;Dunkel</translation>
    </message>
    <message>
        <source>&amp;About WebSocket Inspector</source>
        <translation>Ü&amp;ber WebSocket Inspector</translation>
    </message>
    <message>
        <source>&amp;Send Frame</source>
        <translation>&amp;Frame senden</translation>
    </message>
    <message>
        <source>Empty the frame, message and wire-log views; the recording keeps everything (Show All brings it back)</source>
        <translation>Frame-, Nachrichten- und Wire-Log-Ansicht leeren; die Aufzeichnung behält alles (Alles zeigen holt es zurück)</translation>
    </message>
    <message>
        <source>&amp;Pause Live Views</source>
        <translation>Live-Ansichten &amp;anhalten</translation>
    </message>
    <message>
        <source>Stop adding rows to the views while recording goes on; resume to see what arrived</source>
        <translation>Keine neuen Zeilen in die Ansichten aufnehmen, während die Aufzeichnung weiterläuft; fortsetzen zeigt, was ankam</translation>
    </message>
    <message>
        <source>Show C&amp;omposer and Sequence</source>
        <translation>&amp;Editor und Sequenz zeigen</translation>
    </message>
    <message>
        <source>Show or hide the left pane (more room for the views)</source>
        <translation>Linken Bereich zeigen oder ausblenden (mehr Platz für die Ansichten)</translation>
    </message>
    <message>
        <source>Show Closing, Statistics and &amp;Handshake</source>
        <translation>Schließen, Statistik und &amp;Handshake zeigen</translation>
    </message>
    <message>
        <source>Show or hide the right pane (more room for the views)</source>
        <translation>Rechten Bereich zeigen oder ausblenden (mehr Platz für die Ansichten)</translation>
    </message>
    <message>
        <source>&amp;Edit</source>
        <translation>&amp;Bearbeiten</translation>
    </message>
    <message>
        <source>Open &amp;Capture…</source>
        <translation>&amp;Mitschnitt öffnen…</translation>
    </message>
    <message>
        <source>Open a pcapng capture as a connection of its own (read-only)</source>
        <translation>Einen pcapng-Mitschnitt als eigene Verbindung öffnen (nur lesen)</translation>
    </message>
    <message>
        <source>Save C&amp;apture As…</source>
        <translation>Mitschnitt speichern &amp;unter…</translation>
    </message>
    <message>
        <source>Save the shown connection as a pcapng capture (Wireshark opens it)</source>
        <translation>Die gezeigte Verbindung als pcapng-Mitschnitt speichern (Wireshark öffnet ihn)</translation>
    </message>
    <message>
        <source>Recordin&amp;g…</source>
        <translation>&amp;Aufzeichnung…</translation>
    </message>
    <message>
        <source>Where and how the connections are recorded as they run</source>
        <translation>Wo und wie die Verbindungen während des Laufs aufgezeichnet werden</translation>
    </message>
    <message>
        <source>Export &amp;HAR…</source>
        <translation>&amp;HAR exportieren…</translation>
    </message>
    <message>
        <source>Save the shown connection as HAR 1.2, as the browsers&apos; developer tools import it</source>
        <translation>Die gezeigte Verbindung als HAR 1.2 speichern, wie es die Entwicklerwerkzeuge der Browser importieren</translation>
    </message>
</context>
<context>
    <name>main</name>
    <message>
        <source>Debug WebSocket servers by hand: craft any frame, watch the wire.</source>
        <translation>WebSocket-Server von Hand debuggen: beliebige Frames bauen, die Leitung beobachten.</translation>
    </message>
    <message>
        <source>ws:// or wss:// URL to open</source>
        <translation>zu öffnende ws://- oder wss://-URL</translation>
    </message>
    <message>
        <source>Language of the window (e.g. de, en).</source>
        <translation>Sprache des Fensters (z. B. de, en).</translation>
    </message>
    <message>
        <source>Do not start the embedded echo server.</source>
        <translation>Den eingebauten Echo-Server nicht starten.</translation>
    </message>
    <message>
        <source>Connect as soon as the window is shown.</source>
        <translation>Verbinden, sobald das Fenster angezeigt wird.</translation>
    </message>
</context>
<context>
    <name>wsi::gui::BarChart</name>
    <message>
        <source>%1: %2</source>
        <translation>%1: %2</translation>
    </message>
    <message numerus="yes">
        <source>%Ln other(s)</source>
        <translation>
            <numerusform>%Ln weitere</numerusform>
            <numerusform>%Ln weitere</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>%Ln smaller row(s) summed up: %1</source>
        <translation>
            <numerusform>%Ln kleinere Zeile zusammengefasst: %1</numerusform>
            <numerusform>%Ln kleinere Zeilen zusammengefasst: %1</numerusform>
        </translation>
    </message>
</context>
<context>
    <name>wsi::gui::CaseBrowser</name>
    <message>
        <source>Cases</source>
        <translation>Fälle</translation>
    </message>
    <message>
        <source>Filter: 6.4.*, 7.*, or words of a description</source>
        <translation>Filter: 6.4.*, 7.* oder Wörter einer Beschreibung</translation>
    </message>
    <message>
        <source>Select cases or whole groups, then run them against the URL of the connection bar</source>
        <translation>Fälle oder ganze Gruppen auswählen und gegen die URL der Verbindungsleiste ausführen</translation>
    </message>
    <message>
        <source>&amp;Run Selected</source>
        <translation>&amp;Auswahl ausführen</translation>
    </message>
    <message>
        <source>Run the selected cases, one connection per case</source>
        <translation>Die ausgewählten Fälle ausführen, eine Verbindung je Fall</translation>
    </message>
    <message>
        <source>Run A&amp;ll</source>
        <translation>A&amp;lle ausführen</translation>
    </message>
    <message>
        <source>Open as Sc&amp;enario</source>
        <translation>Als Sz&amp;enario öffnen</translation>
    </message>
    <message>
        <source>Load the case&apos;s steps into the sequence editor, to change them and save them as your own scenario</source>
        <translation>Die Schritte des Falls in den Sequenz-Editor laden, um sie zu ändern und als eigenes Szenario zu speichern</translation>
    </message>
    <message>
        <source>&amp;Jobs:</source>
        <translation>&amp;Jobs:</translation>
    </message>
    <message>
        <source>How many cases run at once (each on its own connection)</source>
        <translation>Wie viele Fälle gleichzeitig laufen (jeder auf einer eigenen Verbindung)</translation>
    </message>
    <message>
        <source>&amp;Cancel</source>
        <translation>A&amp;bbrechen</translation>
    </message>
    <message>
        <source>Double-click a result to show its trace in the views and panels</source>
        <translation>Doppelklick auf ein Ergebnis zeigt seinen Trace in den Ansichten und Panels</translation>
    </message>
    <message>
        <source>&amp;Show Trace</source>
        <translation>&amp;Trace zeigen</translation>
    </message>
    <message>
        <source>E&amp;xport Reports…</source>
        <translation>Berichte e&amp;xportieren…</translation>
    </message>
    <message>
        <source>Write index.json, index.html and one JSON and HTML report per case into a folder</source>
        <translation>index.json, index.html und je Fall einen JSON- und HTML-Bericht in einen Ordner schreiben</translation>
    </message>
    <message>
        <source>unknown</source>
        <translation>unbekannt</translation>
    </message>
    <message numerus="yes">
        <source>%n second(s)</source>
        <translation>
            <numerusform>%n Sekunde</numerusform>
            <numerusform>%n Sekunden</numerusform>
        </translation>
    </message>
    <message>
        <source>%1 min %2 s</source>
        <translation>%1 min %2 s</translation>
    </message>
    <message>
        <source>Non-Strict</source>
        <translation>Nicht strikt</translation>
    </message>
    <message>
        <source>Unclean</source>
        <translation>Unsauber</translation>
    </message>
    <message>
        <source>%v of %m</source>
        <translation>%v von %m</translation>
    </message>
    <message>
        <source>Enter a ws:// or wss:// URL in the connection bar first.</source>
        <translation>Zuerst eine ws://- oder wss://-URL in der Verbindungsleiste eingeben.</translation>
    </message>
    <message>
        <source>No cases run yet.</source>
        <translation>Noch keine Fälle ausgeführt.</translation>
    </message>
    <message numerus="yes">
        <source>Done: %1 of %n case(s) passed (Pass, Non-Strict or Info).</source>
        <translation>
            <numerusform>Fertig: %1 von %n Fall bestanden (Bestanden, Nicht strikt oder Info).</numerusform>
            <numerusform>Fertig: %1 von %n Fällen bestanden (Bestanden, Nicht strikt oder Info).</numerusform>
        </translation>
    </message>
    <message>
        <source>Case %1 of %2: %3 — time left: %4</source>
        <translation>Fall %1 von %2: %3 — verbleibend: %4</translation>
    </message>
    <message>
        <source>starting</source>
        <translation>startet</translation>
    </message>
    <message numerus="yes">
        <source>%n case(s) in the library. Select cases or groups and run them against the URL of the connection bar.</source>
        <translation>
            <numerusform>%n Fall in der Bibliothek. Fälle oder Gruppen auswählen und gegen die URL der Verbindungsleiste ausführen.</numerusform>
            <numerusform>%n Fälle in der Bibliothek. Fälle oder Gruppen auswählen und gegen die URL der Verbindungsleiste ausführen.</numerusform>
        </translation>
    </message>
    <message>
        <source>&lt;b&gt;Case %1&lt;/b&gt; — %2&lt;br&gt;&lt;i&gt;Expectation:&lt;/i&gt; %3</source>
        <translation>&lt;b&gt;Fall %1&lt;/b&gt; — %2&lt;br&gt;&lt;i&gt;Erwartung:&lt;/i&gt; %3</translation>
    </message>
    <message>
        <source>Export Reports To</source>
        <translation>Berichte exportieren nach</translation>
    </message>
    <message>
        <source>Export failed</source>
        <translation>Export fehlgeschlagen</translation>
    </message>
    <message>
        <source>Reports written to %1 (index.html).</source>
        <translation>Berichte nach %1 geschrieben (index.html).</translation>
    </message>
</context>
<context>
    <name>wsi::gui::CaseResultModel</name>
    <message>
        <source>Pass</source>
        <translation>Bestanden</translation>
    </message>
    <message>
        <source>Non-Strict</source>
        <translation>Nicht strikt</translation>
    </message>
    <message>
        <source>Info</source>
        <translation>Info</translation>
    </message>
    <message>
        <source>Unimplemented</source>
        <translation>Nicht implementiert</translation>
    </message>
    <message>
        <source>Missing</source>
        <translation>Fehlt</translation>
    </message>
    <message>
        <source>Fail</source>
        <translation>Fehlgeschlagen</translation>
    </message>
    <message>
        <source>Unclean</source>
        <translation>Unsauber</translation>
    </message>
    <message>
        <source>Running…</source>
        <translation>Läuft…</translation>
    </message>
    <message>
        <source>Waiting</source>
        <translation>Wartet</translation>
    </message>
    <message>
        <source>Skipped</source>
        <translation>Übersprungen</translation>
    </message>
    <message>
        <source>%1 ms</source>
        <translation>%1 ms</translation>
    </message>
    <message>
        <source>Case</source>
        <translation>Fall</translation>
    </message>
    <message>
        <source>Result</source>
        <translation>Ergebnis</translation>
    </message>
    <message>
        <source>Close</source>
        <translation>Close</translation>
    </message>
    <message>
        <source>Duration</source>
        <translation>Dauer</translation>
    </message>
    <message>
        <source>Outcome</source>
        <translation>Ausgang</translation>
    </message>
</context>
<context>
    <name>wsi::gui::CaseTreeModel</name>
    <message>
        <source>&lt;p&gt;&lt;b&gt;Case %1&lt;/b&gt;&lt;/p&gt;&lt;p&gt;%2&lt;/p&gt;&lt;p&gt;&lt;i&gt;Expectation:&lt;/i&gt; %3&lt;/p&gt;</source>
        <translation>&lt;p&gt;&lt;b&gt;Fall %1&lt;/b&gt;&lt;/p&gt;&lt;p&gt;%2&lt;/p&gt;&lt;p&gt;&lt;i&gt;Erwartung:&lt;/i&gt; %3&lt;/p&gt;</translation>
    </message>
    <message numerus="yes">
        <source>%n case(s)</source>
        <translation>
            <numerusform>%n Fall</numerusform>
            <numerusform>%n Fälle</numerusform>
        </translation>
    </message>
    <message>
        <source>Case</source>
        <translation>Fall</translation>
    </message>
    <message>
        <source>Description</source>
        <translation>Beschreibung</translation>
    </message>
</context>
<context>
    <name>wsi::gui::ClosingModel</name>
    <message>
        <source>Key</source>
        <translation>Schlüssel</translation>
    </message>
    <message>
        <source>Value</source>
        <translation>Wert</translation>
    </message>
    <message>
        <source>Description</source>
        <translation>Beschreibung</translation>
    </message>
</context>
<context>
    <name>wsi::gui::ClosingPanel</name>
    <message>
        <source>Key</source>
        <translation>Schlüssel</translation>
    </message>
    <message>
        <source>Value</source>
        <translation>Wert</translation>
    </message>
    <message>
        <source>Description</source>
        <translation>Beschreibung</translation>
    </message>
    <message>
        <source>Timings (ms since the connection started)</source>
        <translation>Zeitpunkte (ms seit Verbindungsbeginn)</translation>
    </message>
    <message>
        <source>WebSocket open:</source>
        <translation>WebSocket offen:</translation>
    </message>
    <message>
        <source>Close sent:</source>
        <translation>Close gesendet:</translation>
    </message>
    <message>
        <source>Close received:</source>
        <translation>Close empfangen:</translation>
    </message>
    <message>
        <source>TCP closed:</source>
        <translation>TCP geschlossen:</translation>
    </message>
    <message>
        <source>Close handshake:</source>
        <translation>Schließ-Handshake:</translation>
    </message>
    <message>
        <source>TCP drop:</source>
        <translation>TCP-Abbau:</translation>
    </message>
    <message>
        <source>No verdict.</source>
        <translation>Keine Bewertung.</translation>
    </message>
    <message>
        <source>No verdict yet: the connection is not closed.</source>
        <translation>Noch keine Bewertung: Die Verbindung ist nicht geschlossen.</translation>
    </message>
    <message>
        <source>%1 ms</source>
        <translation>%1 ms</translation>
    </message>
    <message>
        <source>—</source>
        <translation>—</translation>
    </message>
    <message>
        <source>took %1 ms (our close until the server&apos;s reply)</source>
        <translation>dauerte %1 ms (von unserem Close-Frame bis zur Antwort des Servers)</translation>
    </message>
    <message>
        <source>took %1 ms (the server&apos;s close until our reply)</source>
        <translation>dauerte %1 ms (vom Close-Frame des Servers bis zu unserer Antwort)</translation>
    </message>
    <message>
        <source>no close received from the server</source>
        <translation>kein Close-Frame vom Server empfangen</translation>
    </message>
    <message>
        <source>waiting for the server&apos;s close</source>
        <translation>warten auf den Close-Frame des Servers</translation>
    </message>
    <message>
        <source>the server&apos;s close was not answered</source>
        <translation>der Close-Frame des Servers wurde nicht beantwortet</translation>
    </message>
    <message>
        <source>waiting for the server to drop TCP</source>
        <translation>warten, bis der Server TCP kappt</translation>
    </message>
    <message>
        <source>Closing Behaviour</source>
        <translation>Schließverhalten</translation>
    </message>
    <message>
        <source>Not connected.</source>
        <translation>Nicht verbunden.</translation>
    </message>
    <message>
        <source>Connecting: waiting for the opening handshake, %1 of %2 ms</source>
        <translation>Verbindungsaufbau: warten auf den Eröffnungs-Handshake, %1 von %2 ms</translation>
    </message>
    <message>
        <source>Connecting: waiting for the opening handshake</source>
        <translation>Verbindungsaufbau: warten auf den Eröffnungs-Handshake</translation>
    </message>
    <message>
        <source>Open: no verdict before the connection is closed.</source>
        <translation>Offen: kein Urteil, bevor die Verbindung geschlossen ist.</translation>
    </message>
    <message>
        <source>Half-closed: waiting for the server to drop TCP, %1 of %2 ms</source>
        <translation>Halb geschlossen: warten, bis der Server TCP kappt, %1 von %2 ms</translation>
    </message>
    <message>
        <source>Half-closed: waiting for the server to drop TCP</source>
        <translation>Halb geschlossen: warten, bis der Server TCP kappt</translation>
    </message>
    <message>
        <source>Closing: waiting for the server&apos;s close, %1 of %2 ms</source>
        <translation>Schließen: warten auf den Close-Frame des Servers, %1 von %2 ms</translation>
    </message>
    <message>
        <source>Closing: waiting for the server&apos;s close</source>
        <translation>Schließen: warten auf den Close-Frame des Servers</translation>
    </message>
    <message>
        <source>Closing: waiting for the server to drop TCP, %1 of %2 ms</source>
        <translation>Schließen: warten, bis der Server TCP kappt, %1 von %2 ms</translation>
    </message>
    <message>
        <source>Closing: waiting for the server to drop TCP</source>
        <translation>Schließen: warten, bis der Server TCP kappt</translation>
    </message>
    <message>
        <source>no connection: %1</source>
        <translation>keine Verbindung: %1</translation>
    </message>
    <message>
        <source>TLS handshake failed: %1</source>
        <translation>TLS-Handshake fehlgeschlagen: %1</translation>
    </message>
    <message>
        <source>we aborted TCP without a close handshake</source>
        <translation>wir haben TCP ohne Schließ-Handshake abgebrochen</translation>
    </message>
    <message>
        <source>we closed TCP without a close handshake</source>
        <translation>wir haben TCP ohne Schließ-Handshake geschlossen</translation>
    </message>
    <message>
        <source>we aborted TCP %1 ms after the last close frame</source>
        <translation>wir haben TCP %1 ms nach dem letzten Close-Frame abgebrochen</translation>
    </message>
    <message>
        <source>we closed TCP %1 ms after the last close frame</source>
        <translation>wir haben TCP %1 ms nach dem letzten Close-Frame geschlossen</translation>
    </message>
    <message>
        <source>the server reset the connection (RST) without a close handshake</source>
        <translation>der Server hat die Verbindung ohne Schließ-Handshake zurückgesetzt (RST)</translation>
    </message>
    <message>
        <source>the server ended the TLS session (close_notify) without a close handshake</source>
        <translation>der Server hat die TLS-Sitzung ohne Schließ-Handshake beendet (close_notify)</translation>
    </message>
    <message>
        <source>the connection failed: %1</source>
        <translation>die Verbindung ist fehlgeschlagen: %1</translation>
    </message>
    <message>
        <source>the server closed TCP (FIN) after our half-close</source>
        <translation>der Server hat TCP nach unserem Half-Close geschlossen (FIN)</translation>
    </message>
    <message>
        <source>the server closed TCP (FIN) without a close handshake</source>
        <translation>der Server hat TCP ohne Schließ-Handshake geschlossen (FIN)</translation>
    </message>
    <message>
        <source>the server reset the connection (RST) %1 ms after the last close frame</source>
        <translation>der Server hat die Verbindung %1 ms nach dem letzten Close-Frame zurückgesetzt (RST)</translation>
    </message>
    <message>
        <source>the server ended the TLS session (close_notify) %1 ms after the last close frame</source>
        <translation>der Server hat die TLS-Sitzung %1 ms nach dem letzten Close-Frame beendet (close_notify)</translation>
    </message>
    <message>
        <source>the server closed TCP (FIN) %1 ms after the last close frame</source>
        <translation>der Server hat TCP %1 ms nach dem letzten Close-Frame geschlossen (FIN)</translation>
    </message>
    <message>
        <source>we dropped TCP without a close handshake</source>
        <translation>wir haben TCP ohne Close-Handshake abgebaut</translation>
    </message>
    <message>
        <source>we dropped TCP %1 ms after the last close frame</source>
        <translation>wir haben TCP %1 ms nach dem letzten Close-Frame abgebaut</translation>
    </message>
    <message>
        <source>the server dropped TCP without a close handshake</source>
        <translation>der Server hat TCP ohne Close-Handshake abgebaut</translation>
    </message>
    <message>
        <source>the server dropped TCP %1 ms after the last close frame</source>
        <translation>der Server hat TCP %1 ms nach dem letzten Close-Frame abgebaut</translation>
    </message>
    <message>
        <source>the server closed TCP (FIN)</source>
        <translation>der Server hat TCP geschlossen (FIN)</translation>
    </message>
    <message>
        <source>the server reset the connection (RST)</source>
        <translation>der Server hat die Verbindung zurückgesetzt (RST)</translation>
    </message>
    <message>
        <source>the server ended the TLS session (close_notify), then TCP closed</source>
        <translation>der Server hat die TLS-Sitzung beendet (close_notify), dann wurde TCP geschlossen</translation>
    </message>
    <message>
        <source>we closed TCP (FIN)</source>
        <translation>wir haben TCP geschlossen (FIN)</translation>
    </message>
    <message>
        <source>we aborted TCP</source>
        <translation>wir haben TCP abgebrochen</translation>
    </message>
    <message>
        <source>no connection</source>
        <translation>keine Verbindung</translation>
    </message>
    <message>
        <source>No verdict yet</source>
        <translation>Noch kein Urteil</translation>
    </message>
    <message>
        <source>Closing in progress</source>
        <translation>Schließen läuft</translation>
    </message>
    <message>
        <source>Closed as required</source>
        <translation>Wie verlangt geschlossen</translation>
    </message>
    <message>
        <source>Closing failed</source>
        <translation>Schließen fehlgeschlagen</translation>
    </message>
    <message>
        <source>Not closed cleanly</source>
        <translation>Nicht sauber geschlossen</translation>
    </message>
    <message>
        <source>Wrong close code</source>
        <translation>Falscher Close-Code</translation>
    </message>
    <message>
        <source>Failed by the client</source>
        <translation>Vom Client abgebrochen</translation>
    </message>
    <message>
        <source>Informational</source>
        <translation>Zur Information</translation>
    </message>
</context>
<context>
    <name>wsi::gui::CompareModel</name>
    <message>
        <source>7-bit</source>
        <translation>7 Bit</translation>
    </message>
    <message>
        <source>16-bit</source>
        <translation>16 Bit</translation>
    </message>
    <message>
        <source>64-bit</source>
        <translation>64 Bit</translation>
    </message>
    <message>
        <source>bit only, no key</source>
        <translation>nur Bit, kein Schlüssel</translation>
    </message>
    <message>
        <source>none</source>
        <translation>keiner</translation>
    </message>
    <message>
        <source>(ended)</source>
        <translation>(beendet)</translation>
    </message>
    <message>
        <source>(not kept)</source>
        <translation>(nicht aufbewahrt)</translation>
    </message>
    <message>
        <source>Dir</source>
        <translation>Richtung</translation>
    </message>
    <message>
        <source>Sent (TX) or received (RX): each direction is aligned on its own</source>
        <translation>Gesendet (TX) oder empfangen (RX): Jede Richtung wird für sich abgeglichen</translation>
    </message>
    <message>
        <source>Left: %1</source>
        <translation>Links: %1</translation>
    </message>
    <message>
        <source>Right: %1</source>
        <translation>Rechts: %1</translation>
    </message>
    <message>
        <source>Keys the sender chose at random differ from run to run: they are not counted as a difference.</source>
        <translation>Schlüssel, die der Sender zufällig gewählt hat, unterscheiden sich von Lauf zu Lauf: Sie zählen nicht als Unterschied.</translation>
    </message>
    <message>
        <source>Left #</source>
        <translation>Links #</translation>
    </message>
    <message>
        <source>Right #</source>
        <translation>Rechts #</translation>
    </message>
    <message>
        <source>Opcode</source>
        <translation>Opcode</translation>
    </message>
    <message>
        <source>FIN</source>
        <translation>FIN</translation>
    </message>
    <message>
        <source>RSV</source>
        <translation>RSV</translation>
    </message>
    <message>
        <source>Mask Key</source>
        <translation>Maskierungsschlüssel</translation>
    </message>
    <message>
        <source>Length</source>
        <translation>Länge</translation>
    </message>
    <message>
        <source>Payload</source>
        <translation>Payload</translation>
    </message>
    <message>
        <source>Violations</source>
        <translation>Verstöße</translation>
    </message>
    <message>
        <source>unknown</source>
        <translation>unbekannt</translation>
    </message>
    <message>
        <source>yes</source>
        <translation>ja</translation>
    </message>
    <message>
        <source>no</source>
        <translation>nein</translation>
    </message>
    <message>
        <source>%1 (%2)</source>
        <translation>%1 (%2)</translation>
    </message>
    <message>
        <source>The octets after the first %1 were not kept: they cannot be compared.</source>
        <translation>Die Oktette nach den ersten %1 wurden nicht aufbewahrt: Sie können nicht verglichen werden.</translation>
    </message>
    <message>
        <source>Read from a file that has the messages, not their frames: this field is unknown and not compared.</source>
        <translation>Aus einer Datei gelesen, die die Nachrichten enthält, nicht ihre Frames: Dieses Feld ist unbekannt und wird nicht verglichen.</translation>
    </message>
    <message>
        <source>%1 frame %2 is only in the left connection.</source>
        <translation>%1-Frame %2 gibt es nur in der linken Verbindung.</translation>
    </message>
    <message>
        <source>%1 frame %2 is only in the right connection.</source>
        <translation>%1-Frame %2 gibt es nur in der rechten Verbindung.</translation>
    </message>
    <message>
        <source>%1: %2</source>
        <translation>%1: %2</translation>
    </message>
    <message>
        <source>opcode</source>
        <translation>Opcode</translation>
    </message>
    <message>
        <source>mask bit</source>
        <translation>Mask-Bit</translation>
    </message>
    <message>
        <source>mask key</source>
        <translation>Maskierungsschlüssel</translation>
    </message>
    <message>
        <source>payload length</source>
        <translation>Payload-Länge</translation>
    </message>
    <message>
        <source>length encoding</source>
        <translation>Längenkodierung</translation>
    </message>
    <message>
        <source>payload differs from octet %1: %2</source>
        <translation>Payload unterscheidet sich ab Oktett %1: %2</translation>
    </message>
    <message>
        <source>payload sizes differ: %1</source>
        <translation>Payload-Größen unterscheiden sich: %1</translation>
    </message>
    <message>
        <source>violations</source>
        <translation>Verstöße</translation>
    </message>
    <message>
        <source>%1 frame %2 ↔ frame %3: </source>
        <translation>%1-Frame %2 ↔ Frame %3: </translation>
    </message>
    <message>
        <source>the same.</source>
        <translation>gleich.</translation>
    </message>
    <message>
        <source>FIN, RSV, masking and length encoding are unknown (read from a file that has the messages, not their frames): not compared.</source>
        <translation>FIN, RSV, Maskierung und Längenkodierung sind unbekannt (aus einer Datei gelesen, die die Nachrichten enthält, nicht ihre Frames): nicht verglichen.</translation>
    </message>
    <message>
        <source>The payloads are the same in their first %1; the rest was not kept.</source>
        <translation>Die Payloads sind in ihren ersten %1 gleich; der Rest wurde nicht aufbewahrt.</translation>
    </message>
    <message numerus="yes">
        <source>The %Ln frame(s) are the same</source>
        <translation>
            <numerusform>Der %Ln Frame ist gleich</numerusform>
            <numerusform>Die %Ln Frames sind gleich</numerusform>
        </translation>
    </message>
    <message>
        <source>(%L1 with fields that cannot be compared)</source>
        <translation>(%L1 mit Feldern, die nicht verglichen werden können)</translation>
    </message>
    <message>
        <source>%L1 equal · %L2 differing · %L3 only left · %L4 only right</source>
        <translation>%L1 gleich · %L2 verschieden · %L3 nur links · %L4 nur rechts</translation>
    </message>
    <message>
        <source>%L1 with fields unknown</source>
        <translation>%L1 mit unbekannten Feldern</translation>
    </message>
    <message>
        <source>The %1 frames differ too much to be aligned: they are paired by position.</source>
        <translation>Die %1-Frames unterscheiden sich zu stark, um abgeglichen zu werden: Sie werden nach Position gepaart.</translation>
    </message>
    <message>
        <source>Closing: the same.</source>
        <translation>Schließen: gleich.</translation>
    </message>
    <message>
        <source>closing verdict</source>
        <translation>Schließ-Urteil</translation>
    </message>
    <message>
        <source>closing result</source>
        <translation>Schließ-Ergebnis</translation>
    </message>
    <message>
        <source>TCP</source>
        <translation>TCP</translation>
    </message>
    <message>
        <source>Closing: %1</source>
        <translation>Schließen: %1</translation>
    </message>
</context>
<context>
    <name>wsi::gui::CompareWindow</name>
    <message>
        <source>Compare: %1 ↔ %2</source>
        <translation>Vergleich: %1 ↔ %2</translation>
    </message>
    <message>
        <source>Left: %1    Right: %2</source>
        <translation>Links: %1    Rechts: %2</translation>
    </message>
    <message>
        <source>&amp;Only differences</source>
        <translation>Nur &amp;Unterschiede</translation>
    </message>
    <message>
        <source>&amp;Previous Difference</source>
        <translation>&amp;Vorheriger Unterschied</translation>
    </message>
    <message>
        <source>&amp;Next Difference</source>
        <translation>&amp;Nächster Unterschied</translation>
    </message>
    <message>
        <source>No difference after this row.</source>
        <translation>Kein Unterschied nach dieser Zeile.</translation>
    </message>
    <message>
        <source>No difference before this row.</source>
        <translation>Kein Unterschied vor dieser Zeile.</translation>
    </message>
    <message>
        <source>Select a row to see what differs (F8: the next difference).</source>
        <translation>Wählen Sie eine Zeile, um zu sehen, was sich unterscheidet (F8: der nächste Unterschied).</translation>
    </message>
    <message>
        <source>The two connections&apos; frames are the same.</source>
        <translation>Die Frames der beiden Verbindungen sind gleich.</translation>
    </message>
</context>
<context>
    <name>wsi::gui::ComposerWidget</name>
    <message>
        <source>Frame Composer</source>
        <translation>Frame-Editor</translation>
    </message>
    <message>
        <source>Frame header</source>
        <translation>Frame-Header</translation>
    </message>
    <message>
        <source>&amp;Opcode:</source>
        <translation>&amp;Opcode:</translation>
    </message>
    <message>
        <source>The 4-bit opcode in byte 0. Reserved opcodes (3–7, 11–15) can be sent on purpose.</source>
        <translation>Der 4-Bit-Opcode in Byte 0. Reservierte Opcodes (3–7, 11–15) können absichtlich gesendet werden.</translation>
    </message>
    <message>
        <source>FIN: this is the final fragment of a message</source>
        <translation>FIN: Dies ist das letzte Fragment einer Nachricht</translation>
    </message>
    <message>
        <source>&amp;FIN</source>
        <translation>&amp;FIN</translation>
    </message>
    <message>
        <source>RSV1 (bit 0x40 of byte 0): only meaningful with a negotiated extension</source>
        <translation>RSV1 (Bit 0x40 von Byte 0): nur mit einer ausgehandelten Erweiterung sinnvoll</translation>
    </message>
    <message>
        <source>RSV&amp;1</source>
        <translation>RSV&amp;1</translation>
    </message>
    <message>
        <source>RSV2 (bit 0x20 of byte 0): only meaningful with a negotiated extension</source>
        <translation>RSV2 (Bit 0x20 von Byte 0): nur mit einer ausgehandelten Erweiterung sinnvoll</translation>
    </message>
    <message>
        <source>RSV&amp;2</source>
        <translation>RSV&amp;2</translation>
    </message>
    <message>
        <source>RSV3 (bit 0x10 of byte 0): only meaningful with a negotiated extension</source>
        <translation>RSV3 (Bit 0x10 von Byte 0): nur mit einer ausgehandelten Erweiterung sinnvoll</translation>
    </message>
    <message>
        <source>RSV&amp;3</source>
        <translation>RSV&amp;3</translation>
    </message>
    <message>
        <source>&amp;Mask:</source>
        <translation>&amp;Maske:</translation>
    </message>
    <message>
        <source>The masking key: 8 hex digits (4 octets, in wire order)</source>
        <translation>Der Maskierungsschlüssel: 8 Hexziffern (4 Oktette, in Übertragungsreihenfolge)</translation>
    </message>
    <message>
        <source>8 hex digits</source>
        <translation>8 Hexziffern</translation>
    </message>
    <message>
        <source>&amp;Length field:</source>
        <translation>&amp;Längenfeld:</translation>
    </message>
    <message>
        <source>Write this number into the length field, whatever payload is sent</source>
        <translation>Diese Zahl ins Längenfeld schreiben, egal welche Payload gesendet wird</translation>
    </message>
    <message>
        <source>Decla&amp;re:</source>
        <translation>&amp;Vorgeben:</translation>
    </message>
    <message>
        <source>The length the header declares (0 to 18446744073709551615, or 0x… hex)</source>
        <translation>Die Länge, die der Header angibt (0 bis 18446744073709551615 oder hexadezimal 0x…)</translation>
    </message>
    <message>
        <source>declared length in octets</source>
        <translation>angegebene Länge in Oktetten</translation>
    </message>
    <message>
        <source>Writes</source>
        <translation>Schreibvorgänge</translation>
    </message>
    <message>
        <source>Chop si&amp;ze:</source>
        <translation>Chop-&amp;Größe:</translation>
    </message>
    <message>
        <source>Split the encoded frame into writes of this many octets, each in its own event-loop turn (0: one write)</source>
        <translation>Den kodierten Frame in Schreibvorgänge mit so vielen Oktetten aufteilen, jeden in einem eigenen Event-Loop-Durchlauf (0: ein Schreibvorgang)</translation>
    </message>
    <message>
        <source>off</source>
        <translation>aus</translation>
    </message>
    <message>
        <source> octets</source>
        <translation> Oktette</translation>
    </message>
    <message>
        <source>Dela&amp;y between chops:</source>
        <translation>Pause z&amp;wischen Chops:</translation>
    </message>
    <message>
        <source>Pause between two chops (0: the next event-loop turn)</source>
        <translation>Pause zwischen zwei Chops (0: der nächste Event-Loop-Durchlauf)</translation>
    </message>
    <message>
        <source> ms</source>
        <translation> ms</translation>
    </message>
    <message>
        <source>Write the whole frame as one write in its own event-loop turn (the octets do not change)</source>
        <translation>Den ganzen Frame als einen Schreibvorgang in einem eigenen Event-Loop-Durchlauf schreiben (die Oktette ändern sich nicht)</translation>
    </message>
    <message>
        <source>Sync: one write in its own turn</source>
        <translation>Sync: eigener Durchlauf</translation>
    </message>
    <message>
        <source>Payload</source>
        <translation>Payload</translation>
    </message>
    <message>
        <source>So&amp;urce:</source>
        <translation>&amp;Quelle:</translation>
    </message>
    <message>
        <source>Payload text (sent as UTF-8)</source>
        <translation>Payload-Text (wird als UTF-8 gesendet)</translation>
    </message>
    <message>
        <source>Hex digits, e.g. ce ba e1 bd b9 (spaces and line breaks are ignored)</source>
        <translation>Hexziffern, z. B. ce ba e1 bd b9 (Leerzeichen und Zeilenumbrüche werden ignoriert)</translation>
    </message>
    <message>
        <source>No file chosen</source>
        <translation>Keine Datei gewählt</translation>
    </message>
    <message>
        <source>Bro&amp;wse…</source>
        <translation>&amp;Auswählen…</translation>
    </message>
    <message>
        <source>&amp;Pattern:</source>
        <translation>Muste&amp;r:</translation>
    </message>
    <message>
        <source>repeated whole, then cut</source>
        <translation>ganz wiederholt, dann gekürzt</translation>
    </message>
    <message>
        <source>The pattern is written as hex digits</source>
        <translation>Das Muster ist in Hexziffern geschrieben</translation>
    </message>
    <message>
        <source>he&amp;x</source>
        <translation>he&amp;x</translation>
    </message>
    <message>
        <source>On-wire len&amp;gth:</source>
        <translation>Länge auf &amp;der Leitung:</translation>
    </message>
    <message>
        <source>The payload on the wire is exactly this many octets of the repeated pattern</source>
        <translation>Die Payload auf der Leitung besteht aus genau so vielen Oktetten des wiederholten Musters</translation>
    </message>
    <message>
        <source>Preview</source>
        <translation>Vorschau</translation>
    </message>
    <message>
        <source>Quick actions</source>
        <translation>Schnellaktionen</translation>
    </message>
    <message>
        <source>Send the payload as a text message (fragmented at the fragment size)</source>
        <translation>Die Payload als Textnachricht senden (nach der Fragmentgröße fragmentiert)</translation>
    </message>
    <message>
        <source>&amp;Text Message</source>
        <translation>&amp;Textnachricht</translation>
    </message>
    <message>
        <source>Send the payload as a binary message (fragmented at the fragment size)</source>
        <translation>Die Payload als Binärnachricht senden (nach der Fragmentgröße fragmentiert)</translation>
    </message>
    <message>
        <source>&amp;Binary Message</source>
        <translation>&amp;Binärnachricht</translation>
    </message>
    <message>
        <source>Fragments of:</source>
        <translation>Fragmente zu:</translation>
    </message>
    <message>
        <source>Split messages into fragments of this many octets (0: one frame)</source>
        <translation>Nachrichten in Fragmente mit so vielen Oktetten aufteilen (0: ein Frame)</translation>
    </message>
    <message>
        <source>one frame</source>
        <translation>ein Frame</translation>
    </message>
    <message>
        <source>Send a ping with the payload</source>
        <translation>Einen Ping mit der Payload senden</translation>
    </message>
    <message>
        <source>P&amp;ing</source>
        <translation>&amp;Ping</translation>
    </message>
    <message>
        <source>Send an unsolicited pong with the payload</source>
        <translation>Einen unaufgeforderten Pong mit der Payload senden</translation>
    </message>
    <message>
        <source>Po&amp;ng</source>
        <translation>Po&amp;ng</translation>
    </message>
    <message>
        <source>Fail the connection: close 1001 while open, drop TCP while closing</source>
        <translation>Verbindung fehlschlagen lassen: Close 1001, solange sie offen ist, TCP kappen, während sie geschlossen wird</translation>
    </message>
    <message>
        <source>F&amp;ail</source>
        <translation>F&amp;ehlschlag</translation>
    </message>
    <message>
        <source>Abort the TCP connection at once, without a close handshake</source>
        <translation>Die TCP-Verbindung sofort abbrechen, ohne Schließ-Handshake</translation>
    </message>
    <message>
        <source>&amp;Drop TCP</source>
        <translation>TCP &amp;kappen</translation>
    </message>
    <message>
        <source>Shut down our sending side (TCP FIN) after the queued writes</source>
        <translation>Unsere Senderichtung nach den ausstehenden Schreibvorgängen schließen (TCP FIN)</translation>
    </message>
    <message>
        <source>&amp;Half-close</source>
        <translation>&amp;Halbschließen</translation>
    </message>
    <message>
        <source>Close &amp;code:</source>
        <translation>&amp;Close-Code:</translation>
    </message>
    <message>
        <source>Any close code, valid or not; type a number for one that is not listed</source>
        <translation>Beliebiger Close-Code, gültig oder nicht; für einen nicht aufgeführten eine Zahl eingeben</translation>
    </message>
    <message>
        <source>Start the close handshake with this code and reason</source>
        <translation>Den Schließ-Handshake mit diesem Code und Grund beginnen</translation>
    </message>
    <message>
        <source>Clos&amp;e</source>
        <translation>Schl&amp;ießen</translation>
    </message>
    <message>
        <source>Reason:</source>
        <translation>Grund:</translation>
    </message>
    <message>
        <source>optional, sent as UTF-8</source>
        <translation>optional, als UTF-8 gesendet</translation>
    </message>
    <message>
        <source>Quick actions add their step to the sequence instead of sending it now</source>
        <translation>Schnellaktionen fügen ihren Schritt zur Sequenz hinzu, statt ihn sofort zu senden</translation>
    </message>
    <message>
        <source>Stop editing the sequence step; the composer keeps its contents</source>
        <translation>Bearbeitung des Sequenzschritts beenden; der Editor behält seinen Inhalt</translation>
    </message>
    <message>
        <source>Stop Editing</source>
        <translation>Bearbeitung beenden</translation>
    </message>
    <message>
        <source>Replace the step being edited with the composer&apos;s contents</source>
        <translation>Den bearbeiteten Schritt durch den Inhalt des Editors ersetzen</translation>
    </message>
    <message>
        <source>Update Step</source>
        <translation>Schritt aktualisieren</translation>
    </message>
    <message>
        <source>Append this frame to the sequence</source>
        <translation>Diesen Frame an die Sequenz anhängen</translation>
    </message>
    <message>
        <source>Add to Se&amp;quence</source>
        <translation>&amp;Zur Sequenz hinzufügen</translation>
    </message>
    <message>
        <source>&amp;Send Frame</source>
        <translation>Frame &amp;senden</translation>
    </message>
    <message>
        <source>“%1” at position %2 is not a hex digit.</source>
        <translation>„%1“ an Position %2 ist keine Hexziffer.</translation>
    </message>
    <message>
        <source>Odd number of hex digits (%1): every octet needs two.</source>
        <translation>Ungerade Anzahl Hexziffern (%1): Jedes Oktett braucht zwei.</translation>
    </message>
    <message>
        <source>Reserved opcode: no meaning is defined, a conforming server fails the connection (RFC 6455 §5.2)</source>
        <translation>Reservierter Opcode: Es ist keine Bedeutung definiert, ein konformer Server lässt die Verbindung fehlschlagen (RFC 6455 §5.2)</translation>
    </message>
    <message>
        <source>Random key</source>
        <translation>Zufälliger Schlüssel</translation>
    </message>
    <message>
        <source>Fixed key</source>
        <translation>Fester Schlüssel</translation>
    </message>
    <message>
        <source>None (mask bit clear)</source>
        <translation>Keine (Mask-Bit aus)</translation>
    </message>
    <message>
        <source>Mask bit without key</source>
        <translation>Mask-Bit ohne Schlüssel</translation>
    </message>
    <message>
        <source>The mask bit is set, but no key is written and the payload is sent as it is</source>
        <translation>Das Mask-Bit ist gesetzt, aber es wird kein Schlüssel geschrieben und die Payload unverändert gesendet</translation>
    </message>
    <message>
        <source>Auto (minimal)</source>
        <translation>Automatisch (minimal)</translation>
    </message>
    <message>
        <source>7-bit field</source>
        <translation>7-Bit-Feld</translation>
    </message>
    <message>
        <source>16-bit (126 + 2 octets)</source>
        <translation>16 Bit (126 + 2 Oktette)</translation>
    </message>
    <message>
        <source>64-bit (127 + 8 octets)</source>
        <translation>64 Bit (127 + 8 Oktette)</translation>
    </message>
    <message>
        <source>Text (UTF-8)</source>
        <translation>Text (UTF-8)</translation>
    </message>
    <message>
        <source>Hex</source>
        <translation>Hex</translation>
    </message>
    <message>
        <source>File</source>
        <translation>Datei</translation>
    </message>
    <message>
        <source>Repeat a pattern to N octets</source>
        <translation>Muster auf N Oktette wiederholen</translation>
    </message>
    <message>
        <source>No code (empty close payload)</source>
        <translation>Kein Code (leere Close-Payload)</translation>
    </message>
    <message>
        <source>“%1” does not exist or is not a file.</source>
        <translation>„%1“ existiert nicht oder ist keine Datei.</translation>
    </message>
    <message>
        <source>Cannot read the file: %1</source>
        <translation>Die Datei kann nicht gelesen werden: %1</translation>
    </message>
    <message>
        <source>Choose a Payload File</source>
        <translation>Payload-Datei auswählen</translation>
    </message>
    <message>
        <source>Choose a file to send as the payload.</source>
        <translation>Wählen Sie eine Datei, die als Payload gesendet wird.</translation>
    </message>
    <message>
        <source>The pattern is empty: there is nothing to repeat to %1.</source>
        <translation>Das Muster ist leer: Es gibt nichts, was auf %1 wiederholt werden könnte.</translation>
    </message>
    <message>
        <source>valid UTF-8</source>
        <translation>gültiges UTF-8</translation>
    </message>
    <message>
        <source>not UTF-8 from octet %1</source>
        <translation>kein UTF-8 ab Oktett %1</translation>
    </message>
    <message>
        <source>ends inside a UTF-8 character</source>
        <translation>endet mitten in einem UTF-8-Zeichen</translation>
    </message>
    <message>
        <source>%1 pattern × %2, then %3 of it = %4 on the wire.</source>
        <translation>Muster von %1 × %2, dann %3 davon = %4 auf der Leitung.</translation>
    </message>
    <message>
        <source>The fixed key needs exactly 8 hex digits (4 octets), e.g. 37fa213d.</source>
        <translation>Der feste Schlüssel braucht genau 8 Hexziffern (4 Oktette), z. B. 37fa213d.</translation>
    </message>
    <message>
        <source>Enter the length the header should declare, in octets.</source>
        <translation>Geben Sie die Länge in Oktetten ein, die der Header angeben soll.</translation>
    </message>
    <message>
        <source>“%1” is not a length: a whole number of octets, or 0x… in hex.</source>
        <translation>„%1“ ist keine Länge: erwartet wird eine ganze Zahl von Oktetten oder 0x… in Hex.</translation>
    </message>
    <message>
        <source>A 7-bit length field holds at most 125, the length is %1: choose another encoding or a shorter payload.</source>
        <translation>Ein 7-Bit-Längenfeld fasst höchstens 125, die Länge ist %1: Wählen Sie eine andere Kodierung oder eine kürzere Payload.</translation>
    </message>
    <message>
        <source>A 16-bit length field holds at most 65535, the length is %1: choose another encoding or a shorter payload.</source>
        <translation>Ein 16-Bit-Längenfeld fasst höchstens 65535, die Länge ist %1: Wählen Sie eine andere Kodierung oder eine kürzere Payload.</translation>
    </message>
    <message>
        <source>RSV bits set without a negotiated extension (RFC 6455 §5.2)</source>
        <translation>RSV-Bits ohne ausgehandelte Erweiterung gesetzt (RFC 6455 §5.2)</translation>
    </message>
    <message>
        <source>reserved opcode %1 (RFC 6455 §5.2)</source>
        <translation>reservierter Opcode %1 (RFC 6455 §5.2)</translation>
    </message>
    <message>
        <source>control frame over 125 octets (RFC 6455 §5.5)</source>
        <translation>Steuer-Frame über 125 Oktette (RFC 6455 §5.5)</translation>
    </message>
    <message>
        <source>fragmented control frame: FIN=0 (RFC 6455 §5.5)</source>
        <translation>fragmentierter Steuer-Frame: FIN=0 (RFC 6455 §5.5)</translation>
    </message>
    <message>
        <source>client frame not masked (RFC 6455 §5.1)</source>
        <translation>Client-Frame nicht maskiert (RFC 6455 §5.1)</translation>
    </message>
    <message>
        <source>mask bit without key: no key written, payload not masked (RFC 6455 §5.3)</source>
        <translation>Mask-Bit ohne Schlüssel: kein Schlüssel geschrieben, Payload nicht maskiert (RFC 6455 §5.3)</translation>
    </message>
    <message>
        <source>non-minimal length encoding (RFC 6455 §5.2)</source>
        <translation>nicht minimale Längenkodierung (RFC 6455 §5.2)</translation>
    </message>
    <message>
        <source>64-bit length with the most significant bit set (RFC 6455 §5.2)</source>
        <translation>64-Bit-Länge mit gesetztem höchstwertigem Bit (RFC 6455 §5.2)</translation>
    </message>
    <message>
        <source>declared length %1 differs from the payload (%2 sent)</source>
        <translation>angegebene Länge %1 weicht von der Payload ab (%2 gesendet)</translation>
    </message>
    <message>
        <source>close payload of 1 octet (RFC 6455 §5.5.1)</source>
        <translation>Close-Payload von 1 Oktett (RFC 6455 §5.5.1)</translation>
    </message>
    <message>
        <source>invalid close code %1 (RFC 6455 §7.4)</source>
        <translation>ungültiger Close-Code %1 (RFC 6455 §7.4)</translation>
    </message>
    <message>
        <source>close reason is not valid UTF-8 (RFC 6455 §5.5.1)</source>
        <translation>Close-Grund ist kein gültiges UTF-8 (RFC 6455 §5.5.1)</translation>
    </message>
    <message>
        <source>text payload is not valid UTF-8: octet %1 (RFC 6455 §8.1)</source>
        <translation>Text-Payload ist kein gültiges UTF-8: Oktett %1 (RFC 6455 §8.1)</translation>
    </message>
    <message>
        <source>text payload is not valid UTF-8: it ends inside a character (RFC 6455 §8.1)</source>
        <translation>Text-Payload ist kein gültiges UTF-8: Sie endet mitten in einem Zeichen (RFC 6455 §8.1)</translation>
    </message>
    <message>
        <source>FIN</source>
        <translation>FIN</translation>
    </message>
    <message>
        <source>RSV1</source>
        <translation>RSV1</translation>
    </message>
    <message>
        <source>RSV2</source>
        <translation>RSV2</translation>
    </message>
    <message>
        <source>RSV3</source>
        <translation>RSV3</translation>
    </message>
    <message>
        <source>OPCODE</source>
        <translation>OPCODE</translation>
    </message>
    <message>
        <source>MASK</source>
        <translation>MASK</translation>
    </message>
    <message>
        <source>LEN7</source>
        <translation>LEN7</translation>
    </message>
    <message>
        <source>byte 0</source>
        <translation>Byte 0</translation>
    </message>
    <message>
        <source>byte 1</source>
        <translation>Byte 1</translation>
    </message>
    <message>
        <source>bytes 2–%1</source>
        <translation>Bytes 2–%1</translation>
    </message>
    <message>
        <source>16-bit length = %1</source>
        <translation>16-Bit-Länge = %1</translation>
    </message>
    <message>
        <source>64-bit length = %1</source>
        <translation>64-Bit-Länge = %1</translation>
    </message>
    <message>
        <source>bytes %1–%2</source>
        <translation>Bytes %1–%2</translation>
    </message>
    <message>
        <source>masking key (random: this one is an example)</source>
        <translation>Maskierungsschlüssel (zufällig: dieser ist ein Beispiel)</translation>
    </message>
    <message>
        <source>masking key</source>
        <translation>Maskierungsschlüssel</translation>
    </message>
    <message>
        <source>key</source>
        <translation>Schlüssel</translation>
    </message>
    <message>
        <source>none written although the mask bit is set</source>
        <translation>keiner geschrieben, obwohl das Mask-Bit gesetzt ist</translation>
    </message>
    <message>
        <source>none (mask bit clear, payload not masked)</source>
        <translation>keiner (Mask-Bit nicht gesetzt, Payload nicht maskiert)</translation>
    </message>
    <message>
        <source>126: 16-bit length follows</source>
        <translation>126: 16-Bit-Länge folgt</translation>
    </message>
    <message>
        <source>127: 64-bit length follows</source>
        <translation>127: 64-Bit-Länge folgt</translation>
    </message>
    <message>
        <source>length %1</source>
        <translation>Länge %1</translation>
    </message>
    <message>
        <source>Frame octets: &lt;b&gt;header&lt;/b&gt;, %1, payload as sent:</source>
        <translation>Frame-Oktette: &lt;b&gt;Header&lt;/b&gt;, %1, Payload wie gesendet:</translation>
    </message>
    <message>
        <source>… and %1 more</source>
        <translation>… und weitere %1</translation>
    </message>
    <message>
        <source>Cannot encode the frame: %1</source>
        <translation>Der Frame kann nicht kodiert werden: %1</translation>
    </message>
    <message>
        <source>Total %1: header %2 + masking key %3 + payload %4.</source>
        <translation>Gesamt %1: Header %2 + Maskierungsschlüssel %3 + Payload %4.</translation>
    </message>
    <message>
        <source>%1 ms apart</source>
        <translation>im Abstand von %1 ms</translation>
    </message>
    <message>
        <source>one event-loop turn apart</source>
        <translation>im Abstand eines Event-Loop-Durchlaufs</translation>
    </message>
    <message>
        <source>Sent as one write in its own event-loop turn.</source>
        <translation>Gesendet als ein Schreibvorgang in einem eigenen Event-Loop-Durchlauf.</translation>
    </message>
    <message>
        <source>Sent as one write.</source>
        <translation>Gesendet als ein Schreibvorgang.</translation>
    </message>
    <message>
        <source>✔ Breaks no frame-level rule of RFC 6455.</source>
        <translation>✔ Verletzt keine Frame-Regel von RFC 6455.</translation>
    </message>
    <message>
        <source>⚠ Breaks the rules on purpose:</source>
        <translation>⚠ Verletzt die Regeln absichtlich:</translation>
    </message>
    <message>
        <source>Choose a close code or type a number from 0 to 65535.</source>
        <translation>Wählen Sie einen Close-Code oder geben Sie eine Zahl von 0 bis 65535 ein.</translation>
    </message>
    <message>
        <source>%1 is invalid on the wire (RFC 6455 §7.4): a conforming server fails the connection.</source>
        <translation>%1 ist auf der Leitung ungültig (RFC 6455 §7.4): Ein konformer Server lässt die Verbindung fehlschlagen.</translation>
    </message>
    <message>
        <source>A reason without a code: the server reads its first two octets as the code (RFC 6455 §5.5.1).</source>
        <translation>Ein Grund ohne Code: Der Server liest dessen erste zwei Oktette als Code (RFC 6455 §5.5.1).</translation>
    </message>
    <message>
        <source>The close payload is %1: a control frame over 125 octets (RFC 6455 §5.5).</source>
        <translation>Die Close-Payload umfasst %1: ein Steuer-Frame über 125 Oktette (RFC 6455 §5.5).</translation>
    </message>
    <message>
        <source>Not connected: connect to a server first.</source>
        <translation>Nicht verbunden: Verbinden Sie sich zuerst mit einem Server.</translation>
    </message>
    <message>
        <source>Send this frame now (Ctrl+Return)</source>
        <translation>Diesen Frame jetzt senden (Ctrl+Return)</translation>
    </message>
    <message>
        <source>The payload has an error: %1</source>
        <translation>Die Payload ist fehlerhaft: %1</translation>
    </message>
    <message>
        <source>The close code is not valid input.</source>
        <translation>Der Close-Code ist keine gültige Eingabe.</translation>
    </message>
    <message>
        <source>Editing step %1 of the sequence (a frame).</source>
        <translation>Schritt %1 der Sequenz wird bearbeitet (ein Frame).</translation>
    </message>
    <message>
        <source>Editing step %1 of the sequence (a message): change the payload or the writes.</source>
        <translation>Schritt %1 der Sequenz wird bearbeitet (eine Nachricht): Payload oder Schreibvorgänge ändern.</translation>
    </message>
    <message>
        <source>Editing step %1 of the sequence (a ping or pong): change the payload or the writes.</source>
        <translation>Schritt %1 der Sequenz wird bearbeitet (ein Ping oder Pong): Payload oder Schreibvorgänge ändern.</translation>
    </message>
    <message>
        <source>Editing step %1 of the sequence (a close): change the code or reason.</source>
        <translation>Schritt %1 der Sequenz wird bearbeitet (ein Close): Code oder Grund ändern.</translation>
    </message>
    <message>
        <source>Editing step %1 of the sequence.</source>
        <translation>Schritt %1 der Sequenz wird bearbeitet.</translation>
    </message>
    <message>
        <source>Bold: header; coloured: masking key; the rest: the payload as it goes on the wire</source>
        <translation>Fett: Header; farbig: Maskierungsschlüssel; der Rest: die Payload, wie sie über die Leitung geht</translation>
    </message>
    <message numerus="yes">
        <source> octet(s)</source>
        <translation>
            <numerusform> Oktett</numerusform>
            <numerusform> Oktette</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>Sent in %1 write(s) of up to %2, %3.</source>
        <translation>
            <numerusform>Gesendet in %1 Schreibvorgang zu höchstens %2, %3.</numerusform>
            <numerusform>Gesendet in %1 Schreibvorgängen zu je höchstens %2, %3.</numerusform>
        </translation>
    </message>
    <message>
        <source>Quic&amp;k actions go to the sequence</source>
        <translation>Schnellaktionen in die Seq&amp;uenz</translation>
    </message>
    <message>
        <source>Editing step %1 of the sequence (a frame header only): its length and mask key apply to the frame data steps that follow.</source>
        <translation>Schritt %1 der Sequenz wird bearbeitet (nur ein Frame-Header): Seine Länge und sein Maskenschlüssel gelten für die folgenden Frame-Daten-Schritte.</translation>
    </message>
    <message>
        <source>Editing step %1 of the sequence (frame data): change the payload octets; they are masked with the key of the frame header before them.</source>
        <translation>Schritt %1 der Sequenz wird bearbeitet (Frame-Daten): Nutzdaten-Oktette ändern; sie werden mit dem Schlüssel des vorangehenden Frame-Headers maskiert.</translation>
    </message>
    <message>
        <source>Key:</source>
        <translation>Schlüssel:</translation>
    </message>
    <message>
        <source>The file is %1, over the %2 limit for a payload loaded from a file. Use “Repeat a pattern to N octets” for larger payloads.</source>
        <translation>Die Datei ist %1 groß und überschreitet das Limit von %2 für eine Payload aus einer Datei. Verwenden Sie für größere Payloads „Muster auf N Oktette wiederholen“.</translation>
    </message>
    <message>
        <source>%1: %2, loaded.</source>
        <translation>%1: %2, geladen.</translation>
    </message>
    <message>
        <source>Compression</source>
        <translation>Komprimierung</translation>
    </message>
    <message>
        <source>permessage-deflate:</source>
        <translation>permessage-deflate:</translation>
    </message>
    <message>
        <source>How the payload is sent under permessage-deflate (RFC 7692): compressed as agreed, plain, or broken on purpose</source>
        <translation>Wie die Payload unter permessage-deflate (RFC 7692) gesendet wird: komprimiert wie vereinbart, unkomprimiert oder absichtlich fehlerhaft</translation>
    </message>
    <message>
        <source>Default (when agreed)</source>
        <translation>Standard (wenn vereinbart)</translation>
    </message>
    <message>
        <source>A message is compressed when the server agreed to permessage-deflate; a frame&apos;s payload goes as given</source>
        <translation>Eine Nachricht wird komprimiert, wenn der Server permessage-deflate zugestimmt hat; die Payload eines Frames geht unverändert hinaus</translation>
    </message>
    <message>
        <source>permessage-deflate, %1: %2</source>
        <translation>permessage-deflate, %1: %2</translation>
    </message>
    <message>
        <source>compressed control frame: RSV1 on opcode %1 (RFC 7692 §6.1)</source>
        <translation>komprimierter Control-Frame: RSV1 bei Opcode %1 (RFC 7692 §6.1)</translation>
    </message>
    <message>
        <source>compressed continuation frame: RSV1 on a continuation (RFC 7692 §6.1)</source>
        <translation>komprimierter Continuation-Frame: RSV1 bei einer Continuation (RFC 7692 §6.1)</translation>
    </message>
    <message>
        <source>Messages are compressed as agreed (%1); a frame&apos;s payload goes as given.</source>
        <translation>Nachrichten werden wie vereinbart komprimiert (%1); die Payload eines Frames geht unverändert hinaus.</translation>
    </message>
    <message>
        <source>Messages are compressed when the server agrees to permessage-deflate; a frame&apos;s payload goes as given.</source>
        <translation>Nachrichten werden komprimiert, wenn der Server permessage-deflate zustimmt; die Payload eines Frames geht unverändert hinaus.</translation>
    </message>
    <message>
        <source>The payload is compressed when it is sent; the preview shows it before compression.</source>
        <translation>Die Payload wird beim Senden komprimiert; die Vorschau zeigt sie vor der Komprimierung.</translation>
    </message>
    <message>
        <source>This connection agreed no permessage-deflate: RSV1 is set without a negotiated extension (RFC 6455 §5.2).</source>
        <translation>Diese Verbindung hat kein permessage-deflate vereinbart: RSV1 wird ohne ausgehandelte Erweiterung gesetzt (RFC 6455 §5.2).</translation>
    </message>
</context>
<context>
    <name>wsi::gui::ConnectionBar</name>
    <message>
        <source>ws://host:port/path</source>
        <translation>ws://host:port/pfad</translation>
    </message>
    <message>
        <source>Enter a ws:// or wss:// URL.</source>
        <translation>Geben Sie eine ws://- oder wss://-URL ein.</translation>
    </message>
    <message>
        <source>Not a valid URL: %1</source>
        <translation>Keine gültige URL: %1</translation>
    </message>
    <message>
        <source>The URL must start with ws:// or wss:// (not %1://).</source>
        <translation>Die URL muss mit ws:// oder wss:// beginnen (nicht mit %1://).</translation>
    </message>
    <message>
        <source>The URL has no host.</source>
        <translation>Die URL enthält keinen Host.</translation>
    </message>
    <message>
        <source>The port must be between 1 and 65535.</source>
        <translation>Der Port muss zwischen 1 und 65535 liegen.</translation>
    </message>
    <message>
        <source>&amp;Connect</source>
        <translation>Ver&amp;binden</translation>
    </message>
    <message>
        <source>&amp;Disconnect</source>
        <translation>&amp;Trennen</translation>
    </message>
    <message>
        <source>not connected</source>
        <translation>nicht verbunden</translation>
    </message>
    <message>
        <source>connecting</source>
        <translation>verbindet</translation>
    </message>
    <message>
        <source>open</source>
        <translation>offen</translation>
    </message>
    <message>
        <source>closing</source>
        <translation>schließt</translation>
    </message>
    <message>
        <source>closed</source>
        <translation>geschlossen</translation>
    </message>
    <message>
        <source>Connection state</source>
        <translation>Verbindungszustand</translation>
    </message>
    <message>
        <source>IDLE</source>
        <translation>BEREIT</translation>
    </message>
    <message>
        <source>CONNECTING</source>
        <translation>VERBINDET</translation>
    </message>
    <message>
        <source>OPEN</source>
        <translation>OFFEN</translation>
    </message>
    <message>
        <source>CLOSING</source>
        <translation>SCHLIESST</translation>
    </message>
    <message>
        <source>CLOSED</source>
        <translation>GESCHLOSSEN</translation>
    </message>
    <message>
        <source>%1 · half-closed</source>
        <translation>%1 · halb geschlossen</translation>
    </message>
    <message>
        <source>We shut down our sending side (TCP FIN): the server can still send, we cannot.</source>
        <translation>Wir haben unsere Senderichtung geschlossen (TCP FIN): Der Server kann noch senden, wir nicht.</translation>
    </message>
    <message>
        <source>TLS</source>
        <translation>TLS</translation>
    </message>
    <message>
        <source>%1 · %2</source>
        <translation>%1 · %2</translation>
    </message>
    <message>
        <source>%1 (errors ignored)</source>
        <translation>%1 (Fehler ignoriert)</translation>
    </message>
    <message>
        <source>Encrypted: %1, cipher %2</source>
        <translation>Verschlüsselt: %1, Cipher %2</translation>
    </message>
    <message>
        <source>TLS (wss://)</source>
        <translation>TLS (wss://)</translation>
    </message>
    <message>
        <source>The server&apos;s certificate did not verify; its errors were ignored (see the Handshake tab).</source>
        <translation>Das Zertifikat des Servers ließ sich nicht prüfen; seine Fehler wurden ignoriert (siehe Reiter Handshake).</translation>
    </message>
</context>
<context>
    <name>wsi::gui::ConnectionListModel</name>
    <message>
        <source>Sent (TX) / received (RX)</source>
        <translation>Gesendet (TX) / empfangen (RX)</translation>
    </message>
    <message>
        <source>Connection</source>
        <translation>Verbindung</translation>
    </message>
    <message>
        <source>Started</source>
        <translation>Beginn</translation>
    </message>
    <message>
        <source>State</source>
        <translation>Zustand</translation>
    </message>
    <message>
        <source>Verdict</source>
        <translation>Urteil</translation>
    </message>
    <message>
        <source>Frames</source>
        <translation>Frames</translation>
    </message>
    <message>
        <source>Octets</source>
        <translation>Oktette</translation>
    </message>
    <message>
        <source>idle</source>
        <translation>untätig</translation>
    </message>
    <message>
        <source>connecting</source>
        <translation>verbindet</translation>
    </message>
    <message>
        <source>open</source>
        <translation>offen</translation>
    </message>
    <message>
        <source>closing</source>
        <translation>schließt</translation>
    </message>
    <message>
        <source>closed</source>
        <translation>geschlossen</translation>
    </message>
    <message>
        <source>%1, from a file</source>
        <translation>%1, aus einer Datei</translation>
    </message>
    <message>
        <source>Opened from %1</source>
        <translation>Geöffnet aus %1</translation>
    </message>
    <message>
        <source>Recorded in %1</source>
        <translation>Aufgezeichnet in %1</translation>
    </message>
    <message>
        <source>Shown in the views</source>
        <translation>In den Ansichten gezeigt</translation>
    </message>
    <message>
        <source>ended while %1</source>
        <translation>vorzeitig beendet (%1)</translation>
    </message>
    <message>
        <source>loading %1 %</source>
        <translation>lädt %1 %</translation>
    </message>
</context>
<context>
    <name>wsi::gui::ConnectionSettingsDialog</name>
    <message>
        <source>CA certificates</source>
        <translation>CA-Zertifikate</translation>
    </message>
    <message>
        <source>PEM certificates (*.pem *.crt);;All files (*)</source>
        <translation>PEM-Zertifikate (*.pem *.crt);;Alle Dateien (*)</translation>
    </message>
    <message>
        <source>not offered</source>
        <translation>nicht angeboten</translation>
    </message>
    <message>
        <source>without a value (the server chooses)</source>
        <translation>ohne Wert (der Server wählt)</translation>
    </message>
    <message>
        <source>%1 bits</source>
        <translation>%1 Bits</translation>
    </message>
    <message>
        <source>the URL&apos;s host</source>
        <translation>der Host der URL</translation>
    </message>
    <message>
        <source>this name:</source>
        <translation>dieser Name:</translation>
    </message>
    <message>
        <source>none</source>
        <translation>keiner</translation>
    </message>
    <message>
        <source>TLS 1.2 or 1.3 (the server chooses)</source>
        <translation>TLS 1.2 oder 1.3 (der Server wählt)</translation>
    </message>
    <message>
        <source>TLS 1.2 only</source>
        <translation>nur TLS 1.2</translation>
    </message>
    <message>
        <source>TLS 1.3 only</source>
        <translation>nur TLS 1.3</translation>
    </message>
    <message>
        <source>Client certificate</source>
        <translation>Client-Zertifikat</translation>
    </message>
    <message>
        <source>Client key</source>
        <translation>Client-Schlüssel</translation>
    </message>
    <message>
        <source>PEM keys (*.pem *.key);;All files (*)</source>
        <translation>PEM-Schlüssel (*.pem *.key);;Alle Dateien (*)</translation>
    </message>
    <message>
        <source>Key log file</source>
        <translation>Key-Log-Datei</translation>
    </message>
    <message>
        <source>Key logs (*.log *.txt *.keys);;All files (*)</source>
        <translation>Key-Logs (*.log *.txt *.keys);;Alle Dateien (*)</translation>
    </message>
    <message>
        <source>None (direct connection)</source>
        <translation>Keiner (direkte Verbindung)</translation>
    </message>
    <message>
        <source>System settings</source>
        <translation>Systemeinstellungen</translation>
    </message>
    <message>
        <source>HTTP (CONNECT)</source>
        <translation>HTTP (CONNECT)</translation>
    </message>
    <message>
        <source>SOCKS5</source>
        <translation>SOCKS5</translation>
    </message>
    <message>
        <source>The password is not saved with the settings: it is kept until the program ends.</source>
        <translation>Das Passwort wird nicht mit den Einstellungen gespeichert: Es bleibt erhalten, bis das Programm endet.</translation>
    </message>
    <message>
        <source>The proxy URL is not valid: %1</source>
        <translation>Die Proxy-URL ist ungültig: %1</translation>
    </message>
    <message>
        <source>Enter the proxy&apos;s host.</source>
        <translation>Geben Sie den Host des Proxys ein.</translation>
    </message>
    <message>
        <source>The proxy host “%1” has a space.</source>
        <translation>Der Proxy-Host „%1“ enthält ein Leerzeichen.</translation>
    </message>
    <message>
        <source>Enter the proxy&apos;s port (1–65535).</source>
        <translation>Geben Sie den Port des Proxys ein (1–65535).</translation>
    </message>
    <message>
        <source>A proxy password needs a user name.</source>
        <translation>Ein Proxy-Passwort braucht einen Benutzernamen.</translation>
    </message>
    <message>
        <source>The server name “%1” has a space: a DNS name has none (RFC 6066 §3).</source>
        <translation>Der Servername „%1“ enthält ein Leerzeichen: Ein DNS-Name hat keines (RFC 6066 §3).</translation>
    </message>
    <message>
        <source>Enter the server name to send, or choose “none”.</source>
        <translation>Geben Sie den zu sendenden Servernamen ein oder wählen Sie „keiner“.</translation>
    </message>
    <message>
        <source>The Extensions field&apos;s offer “%1” is not a valid permessage-deflate offer (%2); it is sent as typed.</source>
        <translation>Das Angebot „%1“ im Feld Erweiterungen ist kein gültiges permessage-deflate-Angebot (%2); es wird wie eingegeben gesendet.</translation>
    </message>
    <message>
        <source>The Extensions field (Handshake tab) names permessage-deflate: its offer is sent, this one is not.</source>
        <translation>Das Feld Erweiterungen (Tab Handshake) nennt permessage-deflate: Sein Angebot wird gesendet, dieses nicht.</translation>
    </message>
    <message>
        <source>The offer is the first element of Sec-WebSocket-Extensions, before the Extensions field&apos;s. The Handshake tab shows what the server agreed.</source>
        <translation>Das Angebot ist das erste Element von Sec-WebSocket-Extensions, vor dem des Felds Erweiterungen. Der Tab Handshake zeigt, was der Server vereinbart hat.</translation>
    </message>
</context>
<context>
    <name>wsi::gui::FindBar</name>
    <message>
        <source>&amp;Find in Payloads…</source>
        <translation>In Payloads &amp;suchen…</translation>
    </message>
    <message>
        <source>Find &amp;Next</source>
        <translation>&amp;Weitersuchen</translation>
    </message>
    <message>
        <source>Find Pre&amp;vious</source>
        <translation>&amp;Rückwärts suchen</translation>
    </message>
    <message>
        <source>Text</source>
        <translation>Text</translation>
    </message>
    <message>
        <source>Hex octets</source>
        <translation>Hex-Oktette</translation>
    </message>
    <message>
        <source>Find the UTF-8 octets of a text, or octets given as hex digits</source>
        <translation>Die UTF-8-Oktette eines Textes suchen oder Oktette, die als Hexziffern angegeben sind</translation>
    </message>
    <message>
        <source>Match case</source>
        <translation>Groß/klein</translation>
    </message>
    <message>
        <source>Hex octets, e.g. de ad be ef</source>
        <translation>Hex-Oktette, z. B. de ad be ef</translation>
    </message>
    <message>
        <source>Text in the payloads</source>
        <translation>Text in den Payloads</translation>
    </message>
    <message>
        <source>Find the previous match (Shift+F3, Shift+Enter)</source>
        <translation>Den vorigen Treffer suchen (Shift+F3, Shift+Enter)</translation>
    </message>
    <message>
        <source>Find the next match (F3, Enter)</source>
        <translation>Den nächsten Treffer suchen (F3, Enter)</translation>
    </message>
    <message>
        <source>Close the find bar (Esc)</source>
        <translation>Die Suchleiste schließen (Esc)</translation>
    </message>
    <message>
        <source>Hex octets need two digits each (%1 digits given).</source>
        <translation>Hex-Oktette brauchen je zwei Ziffern (%1 Ziffern angegeben).</translation>
    </message>
    <message>
        <source>&apos;%1&apos; is not a hex digit (position %2).</source>
        <translation>„%1“ ist keine Hexziffer (Position %2).</translation>
    </message>
    <message>
        <source>Nothing to find.</source>
        <translation>Nichts zu suchen.</translation>
    </message>
    <message>
        <source>No frames to search.</source>
        <translation>Keine Frames zum Durchsuchen.</translation>
    </message>
    <message>
        <source>Searching… %1 of %2 frames</source>
        <translation>Suche … %1 von %2 Frames</translation>
    </message>
    <message>
        <source>Frame %1, payload octet %2</source>
        <translation>Frame %1, Payload-Oktett %2</translation>
    </message>
    <message>
        <source>wrapped around the end</source>
        <translation>am Ende von vorn begonnen</translation>
    </message>
    <message>
        <source>wrapped around the start</source>
        <translation>am Anfang von hinten begonnen</translation>
    </message>
    <message numerus="yes">
        <source>Not found in %1 frame(s).</source>
        <translation>
            <numerusform>In %1 Frame nicht gefunden.</numerusform>
            <numerusform>In %1 Frames nicht gefunden.</numerusform>
        </translation>
    </message>
</context>
<context>
    <name>wsi::gui::Format</name>
    <message numerus="yes">
        <source>%1 octet(s)</source>
        <translation>
            <numerusform>%1 Oktett</numerusform>
            <numerusform>%1 Oktette</numerusform>
        </translation>
    </message>
    <message>
        <source>%1 s</source>
        <translation>%1 s</translation>
    </message>
    <message>
        <source>%1 %</source>
        <translation>%1 %</translation>
    </message>
    <message numerus="yes">
        <source>%1 → %2 octet(s)</source>
        <translation>
            <numerusform>%1 → %2 Oktett</numerusform>
            <numerusform>%1 → %2 Oktette</numerusform>
        </translation>
    </message>
    <message>
        <source>%1, %2</source>
        <translation>%1, %2</translation>
    </message>
</context>
<context>
    <name>wsi::gui::FrameDetailPane</name>
    <message>
        <source>MASK, key and length encoding unknown</source>
        <translation>MASK, Schlüssel und Längenkodierung unbekannt</translation>
    </message>
    <message>
        <source>frame size unknown</source>
        <translation>Frame-Größe unbekannt</translation>
    </message>
    <message>
        <source>Read from a file that has the messages, not their frames: fragmentation, masking keys and the octets on the wire are unknown.</source>
        <translation>Aus einer Datei gelesen, die die Nachrichten enthält, nicht ihre Frames: Fragmentierung, Maskierungsschlüssel und die Oktette auf der Leitung sind unbekannt.</translation>
    </message>
    <message>
        <source>The frame&apos;s octets are unknown.</source>
        <translation>Die Oktette des Frames sind unbekannt.</translation>
    </message>
    <message>
        <source>Frame Details</source>
        <translation>Frame-Details</translation>
    </message>
    <message>
        <source>The first two header octets bit by bit (RFC 6455 §5.2)</source>
        <translation>Die ersten zwei Header-Oktette Bit für Bit (RFC 6455 §5.2)</translation>
    </message>
    <message>
        <source>Unmasked</source>
        <translation>Unmaskiert</translation>
    </message>
    <message>
        <source>Masked (as on the wire)</source>
        <translation>Maskiert (wie auf der Leitung)</translation>
    </message>
    <message>
        <source>Text</source>
        <translation>Text</translation>
    </message>
    <message>
        <source>JSON</source>
        <translation>JSON</translation>
    </message>
    <message>
        <source>Close</source>
        <translation>Close</translation>
    </message>
    <message>
        <source>Status code:</source>
        <translation>Statuscode:</translation>
    </message>
    <message>
        <source>Meaning:</source>
        <translation>Bedeutung:</translation>
    </message>
    <message>
        <source>Reason:</source>
        <translation>Grund:</translation>
    </message>
    <message>
        <source>Header</source>
        <translation>Header</translation>
    </message>
    <message>
        <source>Extended length</source>
        <translation>Erweiterte Länge</translation>
    </message>
    <message>
        <source>Masking key</source>
        <translation>Maskierungsschlüssel</translation>
    </message>
    <message>
        <source>Payload</source>
        <translation>Payload</translation>
    </message>
    <message>
        <source>Status code</source>
        <translation>Statuscode</translation>
    </message>
    <message>
        <source>First invalid UTF-8 octet</source>
        <translation>Erstes ungültiges UTF-8-Oktett</translation>
    </message>
    <message>
        <source>No frame selected.</source>
        <translation>Kein Frame ausgewählt.</translation>
    </message>
    <message>
        <source>Octet 0</source>
        <translation>Oktett 0</translation>
    </message>
    <message>
        <source>Octet 1</source>
        <translation>Oktett 1</translation>
    </message>
    <message>
        <source>Select a frame to see its octets.</source>
        <translation>Wählen Sie einen Frame aus, um seine Oktette zu sehen.</translation>
    </message>
    <message>
        <source>TX (sent)</source>
        <translation>TX (gesendet)</translation>
    </message>
    <message>
        <source>RX (received)</source>
        <translation>RX (empfangen)</translation>
    </message>
    <message>
        <source>Reserved opcode %1</source>
        <translation>Reservierter Opcode %1</translation>
    </message>
    <message>
        <source>7-bit length, minimal</source>
        <translation>7-Bit-Länge, minimal</translation>
    </message>
    <message>
        <source>16-bit length, minimal</source>
        <translation>16-Bit-Länge, minimal</translation>
    </message>
    <message>
        <source>16-bit length, not minimal (fits in 7 bits)</source>
        <translation>16-Bit-Länge, nicht minimal (passt in 7 Bit)</translation>
    </message>
    <message>
        <source>64-bit length, minimal</source>
        <translation>64-Bit-Länge, minimal</translation>
    </message>
    <message>
        <source>64-bit length, not minimal (fits in 16 bits)</source>
        <translation>64-Bit-Länge, nicht minimal (passt in 16 Bit)</translation>
    </message>
    <message>
        <source>64-bit length, not minimal (fits in 7 bits)</source>
        <translation>64-Bit-Länge, nicht minimal (passt in 7 Bit)</translation>
    </message>
    <message>
        <source>key %1</source>
        <translation>Schlüssel %1</translation>
    </message>
    <message>
        <source>no key written</source>
        <translation>kein Schlüssel geschrieben</translation>
    </message>
    <message>
        <source>no key</source>
        <translation>kein Schlüssel</translation>
    </message>
    <message>
        <source>%1 · %2 (opcode %3) · payload length %4</source>
        <translation>%1 · %2 (Opcode %3) · Payload-Länge %4</translation>
    </message>
    <message>
        <source>at %1 ms</source>
        <translation>bei %1 ms</translation>
    </message>
    <message>
        <source>stream offset %1</source>
        <translation>Stream-Offset %1</translation>
    </message>
    <message>
        <source>frame size %1</source>
        <translation>Frame-Größe %1</translation>
    </message>
    <message>
        <source>Not written yet: the frame&apos;s octets have not left the queue.</source>
        <translation>Noch nicht geschrieben: Die Oktette des Frames haben die Warteschlange noch nicht verlassen.</translation>
    </message>
    <message>
        <source>Incomplete: the connection ended inside this frame.</source>
        <translation>Unvollständig: Die Verbindung endete mitten in diesem Frame.</translation>
    </message>
    <message>
        <source>The MASK bit is set but no key was written; the payload went out as is.</source>
        <translation>Das MASK-Bit ist gesetzt, aber es wurde kein Schlüssel geschrieben; die Payload ging unverändert hinaus.</translation>
    </message>
    <message>
        <source>Protocol violations:</source>
        <translation>Protokollverstöße:</translation>
    </message>
    <message>
        <source>Octet 0 (0x%1)</source>
        <translation>Oktett 0 (0x%1)</translation>
    </message>
    <message>
        <source>Octet 1 (0x%1)</source>
        <translation>Oktett 1 (0x%1)</translation>
    </message>
    <message>
        <source>reserved</source>
        <translation>reserviert</translation>
    </message>
    <message>
        <source>Final fragment of a message</source>
        <translation>Letztes Fragment einer Nachricht</translation>
    </message>
    <message>
        <source>Reserved for extensions (permessage-deflate uses RSV1)</source>
        <translation>Reserviert für Erweiterungen (permessage-deflate nutzt RSV1)</translation>
    </message>
    <message>
        <source>Reserved for extensions</source>
        <translation>Reserviert für Erweiterungen</translation>
    </message>
    <message>
        <source>opcode = %1 (%2)</source>
        <translation>Opcode = %1 (%2)</translation>
    </message>
    <message>
        <source>Frame type</source>
        <translation>Frame-Typ</translation>
    </message>
    <message>
        <source>The payload is masked with a 4-octet key</source>
        <translation>Die Payload ist mit einem 4-Oktett-Schlüssel maskiert</translation>
    </message>
    <message>
        <source>payload len = 126: a 16-bit length follows</source>
        <translation>Payload-Länge = 126: eine 16-Bit-Länge folgt</translation>
    </message>
    <message>
        <source>payload len = 127: a 64-bit length follows</source>
        <translation>Payload-Länge = 127: eine 64-Bit-Länge folgt</translation>
    </message>
    <message>
        <source>payload len = %1</source>
        <translation>Payload-Länge = %1</translation>
    </message>
    <message>
        <source>7-bit payload length</source>
        <translation>7-Bit-Payload-Länge</translation>
    </message>
    <message>
        <source>Not written yet.</source>
        <translation>Noch nicht geschrieben.</translation>
    </message>
    <message>
        <source>The frame&apos;s octets were not kept.</source>
        <translation>Die Oktette des Frames wurden nicht gespeichert.</translation>
    </message>
    <message>
        <source>Reason</source>
        <translation>Grund</translation>
    </message>
    <message>
        <source>Empty payload.</source>
        <translation>Leere Payload.</translation>
    </message>
    <message>
        <source>The close reason (payload octets from 2 on).</source>
        <translation>Der Close-Grund (Payload-Oktette ab 2).</translation>
    </message>
    <message>
        <source>Invalid UTF-8: the text ends inside a code point.</source>
        <translation>Ungültiges UTF-8: Der Text endet mitten in einem Codepunkt.</translation>
    </message>
    <message>
        <source>Invalid UTF-8: the first impossible octet is payload octet %1 (0x%2).</source>
        <translation>Ungültiges UTF-8: Das erste unmögliche Oktett ist Payload-Oktett %1 (0x%2).</translation>
    </message>
    <message>
        <source>No text.</source>
        <translation>Kein Text.</translation>
    </message>
    <message>
        <source>Valid UTF-8.</source>
        <translation>Gültiges UTF-8.</translation>
    </message>
    <message>
        <source>The payload ends inside a UTF-8 code point (it may continue in the next fragment).</source>
        <translation>Die Payload endet mitten in einem UTF-8-Codepunkt (er kann im nächsten Fragment weitergehen).</translation>
    </message>
    <message>
        <source>Not valid UTF-8: the first invalid octet is payload octet %1 (0x%2).</source>
        <translation>Kein gültiges UTF-8: Das erste ungültige Oktett ist Payload-Oktett %1 (0x%2).</translation>
    </message>
    <message>
        <source>First invalid UTF-8 octet (payload octet %1)</source>
        <translation>Erstes ungültiges UTF-8-Oktett (Payload-Oktett %1)</translation>
    </message>
    <message>
        <source>Not JSON: %1 at octet %2.</source>
        <translation>Kein JSON: %1 bei Oktett %2.</translation>
    </message>
    <message>
        <source>Valid JSON (an array).</source>
        <translation>Gültiges JSON (ein Array).</translation>
    </message>
    <message>
        <source>Valid JSON (an object).</source>
        <translation>Gültiges JSON (ein Objekt).</translation>
    </message>
    <message>
        <source>none</source>
        <translation>keiner</translation>
    </message>
    <message>
        <source>No status code: the close body is empty (reported as 1005, No Status Received)</source>
        <translation>Kein Statuscode: Der Close-Body ist leer (gemeldet als 1005, Kein Status empfangen)</translation>
    </message>
    <message>
        <source>one octet: 0x%1</source>
        <translation>ein Oktett: 0x%1</translation>
    </message>
    <message>
        <source>Invalid</source>
        <translation>Ungültig</translation>
    </message>
    <message>
        <source>The reason is not valid UTF-8 (first invalid octet at payload octet %1); shown as hex.</source>
        <translation>Der Grund ist kein gültiges UTF-8 (erstes ungültiges Oktett bei Payload-Oktett %1); als Hex dargestellt.</translation>
    </message>
    <message numerus="yes">
        <source>The length field says %1 but %2 payload octet(s) were sent.</source>
        <translation>
            <numerusform>Das Längenfeld gibt %1 an, gesendet wurde aber %2 Payload-Oktett.</numerusform>
            <numerusform>Das Längenfeld gibt %1 an, gesendet wurden aber %2 Payload-Oktette.</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>Only %1 of the frame&apos;s %2 octet(s) are kept (the trace&apos;s storage limit).</source>
        <translation>
            <numerusform>Nur %1 von %2 Oktett des Frames ist gespeichert (Speicherlimit des Traces).</numerusform>
            <numerusform>Nur %1 der %2 Oktette des Frames sind gespeichert (Speicherlimit des Traces).</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>Showing the first %1 of %2 octet(s); the Unmasked tab shows them all.</source>
        <translation>
            <numerusform>Gezeigt werden die ersten %1 von %2 Oktett; der Reiter „Unmaskiert“ zeigt alle.</numerusform>
            <numerusform>Gezeigt werden die ersten %1 von %2 Oktetten; der Reiter „Unmaskiert“ zeigt alle.</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>Not formatted: the payload is larger than %1 octet(s).</source>
        <translation>
            <numerusform>Nicht formatiert: Die Payload ist größer als %1 Oktett.</numerusform>
            <numerusform>Nicht formatiert: Die Payload ist größer als %1 Oktette.</numerusform>
        </translation>
    </message>
    <message>
        <source>Inflated</source>
        <translation>Dekomprimiert</translation>
    </message>
    <message>
        <source>The message this frame belongs to, compressed (permessage-deflate, RFC 7692) and inflated</source>
        <translation>Die Nachricht, zu der dieser Frame gehört, komprimiert (permessage-deflate, RFC 7692) und dekomprimiert</translation>
    </message>
    <message>
        <source>Compressed (the message&apos;s payload on the wire)</source>
        <translation>Komprimiert (die Payload der Nachricht auf der Leitung)</translation>
    </message>
    <message>
        <source>Inflated (the message as the application sees it)</source>
        <translation>Dekomprimiert (die Nachricht, wie die Anwendung sie sieht)</translation>
    </message>
    <message>
        <source>Hex</source>
        <translation>Hex</translation>
    </message>
    <message>
        <source>This frame&apos;s payload</source>
        <translation>Die Payload dieses Frames</translation>
    </message>
    <message>
        <source>Where inflating failed</source>
        <translation>Wo das Dekomprimieren fehlschlug</translation>
    </message>
    <message>
        <source>No compressed octets.</source>
        <translation>Keine komprimierten Oktette.</translation>
    </message>
    <message>
        <source>Inflates to nothing.</source>
        <translation>Dekomprimiert zu nichts.</translation>
    </message>
    <message>
        <source>The inflated octets were not kept.</source>
        <translation>Die dekomprimierten Oktette wurden nicht aufbewahrt.</translation>
    </message>
    <message>
        <source>inflated</source>
        <translation>dekomprimiert</translation>
    </message>
    <message>
        <source>Inflated: %1.</source>
        <translation>Dekomprimiert: %1.</translation>
    </message>
    <message>
        <source>open</source>
        <translation>offen</translation>
    </message>
    <message>
        <source>The message is still open: %1 so far.</source>
        <translation>Die Nachricht ist noch offen: bisher %1.</translation>
    </message>
    <message>
        <source>failed</source>
        <translation>fehlgeschlagen</translation>
    </message>
    <message>
        <source>Did not inflate: %1.</source>
        <translation>Nicht dekomprimierbar: %1.</translation>
    </message>
    <message>
        <source>%1 inflated before the error.</source>
        <translation>%1 vor dem Fehler dekomprimiert.</translation>
    </message>
    <message>
        <source>unknown</source>
        <translation>unbekannt</translation>
    </message>
    <message>
        <source>Unknown: %1.</source>
        <translation>Unbekannt: %1.</translation>
    </message>
    <message>
        <source>interrupted</source>
        <translation>unterbrochen</translation>
    </message>
    <message>
        <source>Interrupted: a new message began before this one&apos;s final frame; %1 inflated.</source>
        <translation>Unterbrochen: Eine neue Nachricht begann vor dem letzten Frame dieser; %1 dekomprimiert.</translation>
    </message>
    <message>
        <source>The inflated octets were not kept (the inflation budget is spent); the sizes are exact.</source>
        <translation>Die dekomprimierten Oktette wurden nicht aufbewahrt (das Dekomprimierungsbudget ist aufgebraucht); die Größen sind exakt.</translation>
    </message>
    <message>
        <source>The text shows the first %1; the Hex tab shows them all.</source>
        <translation>Der Text zeigt die ersten %1; der Tab Hex zeigt alle.</translation>
    </message>
    <message>
        <source>the whole message</source>
        <translation>die ganze Nachricht</translation>
    </message>
    <message>
        <source>frame %1 of %2 so far</source>
        <translation>Frame %1 von bisher %2</translation>
    </message>
    <message>
        <source>frame %1 of %2</source>
        <translation>Frame %1 von %2</translation>
    </message>
    <message>
        <source>Compressed message (permessage-deflate, %1): %2 · %3</source>
        <translation>Komprimierte Nachricht (permessage-deflate, %1): %2 · %3</translation>
    </message>
</context>
<context>
    <name>wsi::gui::FrameTableModel</name>
    <message>
        <source>unknown</source>
        <translation>unbekannt</translation>
    </message>
    <message>
        <source>The file this frame was read from has the messages, not their frames: fragmentation, masking keys and the octets on the wire are unknown.</source>
        <translation>Die Datei, aus der dieser Frame gelesen wurde, enthält die Nachrichten, nicht ihre Frames: Fragmentierung, Maskierungsschlüssel und die Oktette auf der Leitung sind unbekannt.</translation>
    </message>
    <message>
        <source>#</source>
        <translation>#</translation>
    </message>
    <message>
        <source>Time (ms)</source>
        <translation>Zeit (ms)</translation>
    </message>
    <message>
        <source>Dir</source>
        <translation>Richtung</translation>
    </message>
    <message>
        <source>Opcode</source>
        <translation>Opcode</translation>
    </message>
    <message>
        <source>FIN</source>
        <translation>FIN</translation>
    </message>
    <message>
        <source>RSV</source>
        <translation>RSV</translation>
    </message>
    <message>
        <source>MASK</source>
        <translation>MASK</translation>
    </message>
    <message>
        <source>Key</source>
        <translation>Schlüssel</translation>
    </message>
    <message>
        <source>Length</source>
        <translation>Länge</translation>
    </message>
    <message>
        <source>Payload</source>
        <translation>Payload</translation>
    </message>
    <message>
        <source>Violations</source>
        <translation>Verstöße</translation>
    </message>
    <message>
        <source>yes</source>
        <translation>ja</translation>
    </message>
    <message>
        <source>no</source>
        <translation>nein</translation>
    </message>
    <message>
        <source>bit-only</source>
        <translation>nur Bit</translation>
    </message>
    <message>
        <source>%1 (incomplete)</source>
        <translation>%1 (unvollständig)</translation>
    </message>
    <message>
        <source>%1 (sent %2)</source>
        <translation>%1 (gesendet %2)</translation>
    </message>
    <message>
        <source>Opcode %1 is reserved (RFC 6455 §5.2)</source>
        <translation>Opcode %1 ist reserviert (RFC 6455 §5.2)</translation>
    </message>
    <message>
        <source>Opcode %1 (%2)</source>
        <translation>Opcode %1 (%2)</translation>
    </message>
    <message>
        <source>TX</source>
        <translation>TX</translation>
    </message>
    <message>
        <source>RX</source>
        <translation>RX</translation>
    </message>
    <message>
        <source>Reserved %1</source>
        <translation>Reserviert %1</translation>
    </message>
    <message numerus="yes">
        <source>The connection ended inside this frame: %1 of %2 payload octet(s) arrived.</source>
        <translation>
            <numerusform>Die Verbindung endete mitten in diesem Frame: %1 von %2 Payload-Oktett kam an.</numerusform>
            <numerusform>Die Verbindung endete mitten in diesem Frame: %1 von %2 Payload-Oktetten kamen an.</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>The header declares %1 payload octet(s); %2 were sent.</source>
        <translation>
            <numerusform>Der Header gibt %1 Payload-Oktett an; gesendet wurden %2.</numerusform>
            <numerusform>Der Header gibt %1 Payload-Oktette an; gesendet wurden %2.</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>(%1 of %2 octet(s) shown)</source>
        <translation>
            <numerusform>(%1 von %2 Oktett gezeigt)</numerusform>
            <numerusform>(%1 von %2 Oktetten gezeigt)</numerusform>
        </translation>
    </message>
    <message>
        <source>RSV without extension</source>
        <translation>RSV ohne Erweiterung</translation>
    </message>
    <message>
        <source>Reserved opcode</source>
        <translation>Reservierter Opcode</translation>
    </message>
    <message>
        <source>Control frame too long</source>
        <translation>Steuer-Frame zu lang</translation>
    </message>
    <message>
        <source>Fragmented control frame</source>
        <translation>Fragmentierter Steuer-Frame</translation>
    </message>
    <message>
        <source>Continuation without message</source>
        <translation>Fortsetzung ohne Nachricht</translation>
    </message>
    <message>
        <source>Data frame inside message</source>
        <translation>Daten-Frame innerhalb einer Nachricht</translation>
    </message>
    <message>
        <source>Masked server frame</source>
        <translation>Maskierter Server-Frame</translation>
    </message>
    <message>
        <source>Unmasked client frame</source>
        <translation>Unmaskierter Client-Frame</translation>
    </message>
    <message>
        <source>Non-minimal length</source>
        <translation>Nicht minimale Länge</translation>
    </message>
    <message>
        <source>64-bit length with top bit set</source>
        <translation>64-Bit-Länge mit gesetztem höchstem Bit</translation>
    </message>
    <message>
        <source>One-octet close payload</source>
        <translation>Close-Nutzdaten von einem Oktett</translation>
    </message>
    <message>
        <source>Invalid close code</source>
        <translation>Ungültiger Close-Code</translation>
    </message>
    <message>
        <source>Invalid UTF-8 in text</source>
        <translation>Ungültiges UTF-8 im Text</translation>
    </message>
    <message>
        <source>Invalid UTF-8 in close reason</source>
        <translation>Ungültiges UTF-8 im Close-Grund</translation>
    </message>
    <message>
        <source>Frame too large</source>
        <translation>Frame zu groß</translation>
    </message>
    <message>
        <source>Mask bit without key</source>
        <translation>Mask-Bit ohne Schlüssel</translation>
    </message>
    <message>
        <source>Declared length mismatch</source>
        <translation>Angegebene Länge stimmt nicht</translation>
    </message>
    <message>
        <source>Δ Time (ms)</source>
        <translation>Δ Zeit (ms)</translation>
    </message>
    <message>
        <source>Compressed control frame</source>
        <translation>Komprimierter Control-Frame</translation>
    </message>
    <message>
        <source>RSV1 on a continuation</source>
        <translation>RSV1 bei einer Continuation</translation>
    </message>
    <message>
        <source>Does not inflate</source>
        <translation>Nicht dekomprimierbar</translation>
    </message>
    <message>
        <source>Inflates past the size limit</source>
        <translation>Dekomprimiert über das Größenlimit hinaus</translation>
    </message>
</context>
<context>
    <name>wsi::gui::HandshakePanel</name>
    <message>
        <source>Opening Handshake</source>
        <translation>Öffnungs-Handshake</translation>
    </message>
    <message>
        <source>Request</source>
        <translation>Anfrage</translation>
    </message>
    <message>
        <source>Response</source>
        <translation>Antwort</translation>
    </message>
    <message>
        <source>No request sent yet.</source>
        <translation>Noch keine Anfrage gesendet.</translation>
    </message>
    <message>
        <source>No response received yet.</source>
        <translation>Noch keine Antwort empfangen.</translation>
    </message>
    <message>
        <source>The opening handshake failed: %1</source>
        <translation>Der Öffnungs-Handshake ist fehlgeschlagen: %1</translation>
    </message>
    <message>
        <source>Response body</source>
        <translation>Antwortrumpf</translation>
    </message>
    <message>
        <source>What the server sent after its response head (at most 64 KiB; control characters escaped)</source>
        <translation>Was der Server nach dem Kopf seiner Antwort sandte (höchstens 64 KiB; Steuerzeichen maskiert)</translation>
    </message>
    <message>
        <source>TLS</source>
        <translation>TLS</translation>
    </message>
    <message>
        <source>Protocol:</source>
        <translation>Protokoll:</translation>
    </message>
    <message>
        <source>Cipher:</source>
        <translation>Cipher:</translation>
    </message>
    <message>
        <source>Certificate errors:</source>
        <translation>Zertifikatsfehler:</translation>
    </message>
    <message>
        <source>Certificate chain sent by the server (its own certificate first):</source>
        <translation>Vom Server gesendete Zertifikatskette (sein eigenes Zertifikat zuerst):</translation>
    </message>
    <message>
        <source>Field</source>
        <translation>Feld</translation>
    </message>
    <message>
        <source>Value</source>
        <translation>Wert</translation>
    </message>
    <message>
        <source>(only the first %1 octets are shown)</source>
        <translation>(nur die ersten %1 Oktette werden gezeigt)</translation>
    </message>
    <message>
        <source>Warning: the server selected none of the requested subprotocols (%1); its response has no Sec-WebSocket-Protocol header.</source>
        <translation>Warnung: Der Server wählte keines der angefragten Subprotokolle (%1); seine Antwort hat keinen Sec-WebSocket-Protocol-Header.</translation>
    </message>
    <message>
        <source>Warning: the server accepted none of the requested extensions (%1); its response has no Sec-WebSocket-Extensions header.</source>
        <translation>Warnung: Der Server nahm keine der angefragten Erweiterungen an (%1); seine Antwort hat keinen Sec-WebSocket-Extensions-Header.</translation>
    </message>
    <message>
        <source>Warning: the server accepted only some of the requested extensions; it ignored %1.</source>
        <translation>Warnung: Der Server nahm nur einen Teil der angefragten Erweiterungen an; er ignorierte %1.</translation>
    </message>
    <message>
        <source>No TLS: a ws:// connection is not encrypted.</source>
        <translation>Kein TLS: Eine ws://-Verbindung ist nicht verschlüsselt.</translation>
    </message>
    <message>
        <source>The TLS handshake did not complete.</source>
        <translation>Der TLS-Handshake wurde nicht abgeschlossen.</translation>
    </message>
    <message>
        <source>Certificate errors (ignored):</source>
        <translation>Zertifikatsfehler (ignoriert):</translation>
    </message>
    <message>
        <source>%1 UTC</source>
        <translation>%1 UTC</translation>
    </message>
    <message>
        <source>unknown</source>
        <translation>unbekannt</translation>
    </message>
    <message>
        <source>%1. %2</source>
        <translation>%1. %2</translation>
    </message>
    <message>
        <source>Subject</source>
        <translation>Inhaber</translation>
    </message>
    <message>
        <source>Issuer</source>
        <translation>Aussteller</translation>
    </message>
    <message>
        <source>Valid from</source>
        <translation>Gültig ab</translation>
    </message>
    <message>
        <source>Valid to</source>
        <translation>Gültig bis</translation>
    </message>
    <message>
        <source>SHA-256</source>
        <translation>SHA-256</translation>
    </message>
    <message>
        <source>permessage-deflate (RFC 7692) as the request offered it and the response answered</source>
        <translation>permessage-deflate (RFC 7692), wie die Anfrage es angeboten und die Antwort es beantwortet hat</translation>
    </message>
    <message>
        <source>Server name (SNI):</source>
        <translation>Servername (SNI):</translation>
    </message>
    <message>
        <source>ALPN:</source>
        <translation>ALPN:</translation>
    </message>
    <message>
        <source>Version asked:</source>
        <translation>Verlangte Version:</translation>
    </message>
    <message>
        <source>Client certificate:</source>
        <translation>Client-Zertifikat:</translation>
    </message>
    <message>
        <source>permessage-deflate: the server&apos;s answer breaks RFC 7692: %1</source>
        <translation>permessage-deflate: Die Antwort des Servers verstößt gegen RFC 7692: %1</translation>
    </message>
    <message>
        <source>permessage-deflate: not offered.</source>
        <translation>permessage-deflate: nicht angeboten.</translation>
    </message>
    <message>
        <source>permessage-deflate: offered; no response yet.</source>
        <translation>permessage-deflate: angeboten; noch keine Antwort.</translation>
    </message>
    <message>
        <source>permessage-deflate: offered, declined by the server.</source>
        <translation>permessage-deflate: angeboten, vom Server abgelehnt.</translation>
    </message>
    <message>
        <source>permessage-deflate agreed: %1. The server accepted “%2” (answering offer %3).</source>
        <translation>permessage-deflate vereinbart: %1. Der Server hat „%2“ akzeptiert (als Antwort auf Angebot %3).</translation>
    </message>
    <message>
        <source>none sent</source>
        <translation>keiner gesendet</translation>
    </message>
    <message>
        <source>none offered</source>
        <translation>keines angeboten</translation>
    </message>
    <message>
        <source>none selected (offered: %1)</source>
        <translation>keines gewählt (angeboten: %1)</translation>
    </message>
    <message>
        <source>%1 (offered: %2)</source>
        <translation>%1 (angeboten: %2)</translation>
    </message>
    <message>
        <source>none presented</source>
        <translation>keines vorgelegt</translation>
    </message>
    <message>
        <source>any (TLS 1.2 or 1.3)</source>
        <translation>beliebig (TLS 1.2 oder 1.3)</translation>
    </message>
</context>
<context>
    <name>wsi::gui::HexView</name>
    <message>
        <source>%1: octet %2 of %3</source>
        <translation>%1: Oktett %2 von %3</translation>
    </message>
    <message>
        <source>Offset 0x%1 (%2), octet %3 of this view</source>
        <translation>Offset 0x%1 (%2), Oktett %3 dieser Ansicht</translation>
    </message>
    <message>
        <source>Offset 0x%1 (%2)</source>
        <translation>Offset 0x%1 (%2)</translation>
    </message>
    <message>
        <source>Value 0x%1 = %2 = %3b</source>
        <translation>Wert 0x%1 = %2 = %3b</translation>
    </message>
    <message>
        <source>&amp;Copy as Hex</source>
        <translation>Als Hex &amp;kopieren</translation>
    </message>
    <message>
        <source>Select &amp;All</source>
        <translation>&amp;Alles auswählen</translation>
    </message>
</context>
<context>
    <name>wsi::gui::MainWindow</name>
    <message>
        <source>&amp;Frames</source>
        <translation>&amp;Frames</translation>
    </message>
    <message>
        <source>&amp;Messages</source>
        <translation>&amp;Nachrichten</translation>
    </message>
    <message>
        <source>&amp;Wire Log</source>
        <translation>&amp;Mitschnitt</translation>
    </message>
    <message>
        <source>Closing</source>
        <translation>Schließverhalten</translation>
    </message>
    <message>
        <source>Statistics</source>
        <translation>Statistik</translation>
    </message>
    <message>
        <source>Handshake</source>
        <translation>Handshake</translation>
    </message>
    <message>
        <source>TX and RX</source>
        <translation>TX und RX</translation>
    </message>
    <message>
        <source>TX only</source>
        <translation>nur TX</translation>
    </message>
    <message>
        <source>RX only</source>
        <translation>nur RX</translation>
    </message>
    <message>
        <source>Show what was sent, received, or both</source>
        <translation>Gesendetes, Empfangenes oder beides anzeigen</translation>
    </message>
    <message>
        <source>Filter text…</source>
        <translation>Text filtern…</translation>
    </message>
    <message>
        <source>All opcodes</source>
        <translation>Alle Opcodes</translation>
    </message>
    <message>
        <source>Data frames</source>
        <translation>Daten-Frames</translation>
    </message>
    <message>
        <source>Control frames</source>
        <translation>Steuer-Frames</translation>
    </message>
    <message>
        <source>Violations only</source>
        <translation>Nur Verstöße</translation>
    </message>
    <message>
        <source>All entries</source>
        <translation>Alle Einträge</translation>
    </message>
    <message>
        <source>Octets</source>
        <translation>Oktette</translation>
    </message>
    <message>
        <source>Frames</source>
        <translation>Frames</translation>
    </message>
    <message>
        <source>Timers</source>
        <translation>Timer</translation>
    </message>
    <message>
        <source>About WebSocket Inspector</source>
        <translation>Über WebSocket Inspector</translation>
    </message>
    <message>
        <source>&lt;h3&gt;WebSocket Inspector %1&lt;/h3&gt;&lt;p&gt;Debug WebSocket servers by hand: craft any frame, valid or deliberately broken, and see exactly what crossed the wire and how the server closed.&lt;/p&gt;&lt;p&gt;The closing behaviour, wire statistics and wire log mean what the Autobahn test suite&apos;s reports mean.&lt;/p&gt;</source>
        <translation>&lt;h3&gt;WebSocket Inspector %1&lt;/h3&gt;&lt;p&gt;WebSocket-Server von Hand debuggen: beliebige Frames bauen, gültig oder absichtlich fehlerhaft, und genau sehen, was über die Leitung ging und wie der Server die Verbindung geschlossen hat.&lt;/p&gt;&lt;p&gt;Schließverhalten, Leitungsstatistik und Mitschnitt bedeuten dasselbe wie in den Berichten der Autobahn-Testsuite.&lt;/p&gt;</translation>
    </message>
    <message>
        <source>Connect first</source>
        <translation>Zuerst verbinden</translation>
    </message>
    <message>
        <source>WebSocket Inspector</source>
        <translation>WebSocket Inspector</translation>
    </message>
    <message>
        <source>%1 — %2 — WebSocket Inspector</source>
        <translation>%1 — %2 — WebSocket Inspector</translation>
    </message>
    <message>
        <source>Open Scenario</source>
        <translation>Szenario öffnen</translation>
    </message>
    <message>
        <source>Scenarios (*.json);;All files (*)</source>
        <translation>Szenarien (*.json);;Alle Dateien (*)</translation>
    </message>
    <message>
        <source>Save Scenario</source>
        <translation>Szenario speichern</translation>
    </message>
    <message>
        <source>Scenarios (*.json)</source>
        <translation>Szenarien (*.json)</translation>
    </message>
    <message>
        <source>Export JSON</source>
        <translation>JSON exportieren</translation>
    </message>
    <message>
        <source>Export Report</source>
        <translation>Bericht exportieren</translation>
    </message>
    <message>
        <source>JSON (*.json)</source>
        <translation>JSON (*.json)</translation>
    </message>
    <message>
        <source>Text (*.txt)</source>
        <translation>Text (*.txt)</translation>
    </message>
    <message>
        <source>Saved %1</source>
        <translation>%1 gespeichert</translation>
    </message>
    <message>
        <source>Export failed</source>
        <translation>Export fehlgeschlagen</translation>
    </message>
    <message>
        <source>Could not write %1: %2</source>
        <translation>%1 konnte nicht geschrieben werden: %2</translation>
    </message>
    <message numerus="yes">
        <source>%1 frame(s)</source>
        <translation>
            <numerusform>%1 Frame</numerusform>
            <numerusform>%1 Frames</numerusform>
        </translation>
    </message>
    <message>
        <source>TX %1, %2   RX %3, %4   %5 s</source>
        <translation>TX %1, %2   RX %3, %4   %5 s</translation>
    </message>
    <message>
        <source>Cases</source>
        <translation>Fälle</translation>
    </message>
    <message>
        <source>&amp;Cases</source>
        <translation>Fall&amp;bibliothek</translation>
    </message>
    <message>
        <source>Show the case library: run Autobahn test cases against the server</source>
        <translation>Die Fallbibliothek zeigen: Autobahn-Testfälle gegen den Server ausführen</translation>
    </message>
    <message>
        <source>Case %1 — %2 — WebSocket Inspector</source>
        <translation>Fall %1 — %2 — WebSocket Inspector</translation>
    </message>
    <message>
        <source>Showing case %1: %2 / %3</source>
        <translation>Fall %1 wird gezeigt: %2 / %3</translation>
    </message>
    <message>
        <source>Case %1 is in the sequence editor: change it, save it, or run it on a connection.</source>
        <translation>Fall %1 ist im Sequenz-Editor: ändern, speichern oder auf einer Verbindung ausführen.</translation>
    </message>
    <message>
        <source>The selected frame is hidden by the filter.</source>
        <translation>Der ausgewählte Frame ist vom Filter ausgeblendet.</translation>
    </message>
    <message>
        <source>Our sending side is shut down</source>
        <translation>Unsere Senderichtung ist geschlossen</translation>
    </message>
    <message>
        <source>No frame selected.</source>
        <translation>Kein Frame ausgewählt.</translation>
    </message>
    <message>
        <source>This message has no frame to show.</source>
        <translation>Diese Nachricht hat keinen Frame zum Anzeigen.</translation>
    </message>
    <message>
        <source>No frame holds these octets (the opening handshake is in the Handshake tab).</source>
        <translation>Kein Frame enthält diese Oktette (der Eröffnungs-Handshake steht im Reiter Handshake).</translation>
    </message>
    <message>
        <source>This line is not a frame.</source>
        <translation>Diese Zeile ist kein Frame.</translation>
    </message>
    <message numerus="yes">
        <source>Live views paused: %1 new frame(s) recorded, not shown yet.</source>
        <translation>
            <numerusform>Live-Ansichten angehalten: %1 neuer Frame aufgezeichnet, noch nicht gezeigt.</numerusform>
            <numerusform>Live-Ansichten angehalten: %1 neue Frames aufgezeichnet, noch nicht gezeigt.</numerusform>
        </translation>
    </message>
    <message>
        <source>&amp;Resume</source>
        <translation>&amp;Fortsetzen</translation>
    </message>
    <message numerus="yes">
        <source>Views cleared: %1 earlier frame(s) are still recorded (the panels and reports use them).</source>
        <translation>
            <numerusform>Ansichten geleert: %1 früherer Frame ist weiter aufgezeichnet (Bereiche und Berichte nutzen ihn).</numerusform>
            <numerusform>Ansichten geleert: %1 frühere Frames sind weiter aufgezeichnet (Bereiche und Berichte nutzen sie).</numerusform>
        </translation>
    </message>
    <message>
        <source>Show &amp;All</source>
        <translation>&amp;Alles zeigen</translation>
    </message>
    <message>
        <source>Not sent: connect first (Add to Sequence keeps the step for later).</source>
        <translation>Nicht gesendet: zuerst verbinden („Zur Sequenz hinzufügen“ hebt den Schritt für später auf).</translation>
    </message>
    <message>
        <source>Sent again: %1</source>
        <translation>Erneut gesendet: %1</translation>
    </message>
    <message>
        <source>Added to the sequence: %1</source>
        <translation>Zur Sequenz hinzugefügt: %1</translation>
    </message>
    <message>
        <source>This step cannot be loaded into the composer.</source>
        <translation>Dieser Schritt kann nicht in den Editor geladen werden.</translation>
    </message>
    <message>
        <source>Loaded into the composer: change it and send it.</source>
        <translation>In den Editor geladen: ändern und senden.</translation>
    </message>
    <message>
        <source>S&amp;top Sequence</source>
        <translation>Sequenz a&amp;nhalten</translation>
    </message>
    <message>
        <source>Stop the running sequence: the steps not yet run are dropped</source>
        <translation>Die laufende Sequenz anhalten: Die noch nicht ausgeführten Schritte entfallen</translation>
    </message>
    <message>
        <source>%1, half-closed</source>
        <translation>%1, halb geschlossen</translation>
    </message>
    <message>
        <source>%1 (from a file) — WebSocket Inspector</source>
        <translation>%1 (aus einer Datei) — WebSocket Inspector</translation>
    </message>
    <message>
        <source>Showing the case&apos;s trace</source>
        <translation>Das Zeigen des Mitschnitts des Falls</translation>
    </message>
    <message>
        <source>Case %1 — %2</source>
        <translation>Fall %1 — %2</translation>
    </message>
    <message>
        <source>&lt;b&gt;Connections&lt;/b&gt;</source>
        <translation>&lt;b&gt;Verbindungen&lt;/b&gt;</translation>
    </message>
    <message>
        <source>Co&amp;nnections</source>
        <translation>&amp;Verbindungen</translation>
    </message>
    <message>
        <source>Show the list of this session&apos;s connections</source>
        <translation>Die Liste der Verbindungen dieser Sitzung zeigen</translation>
    </message>
    <message>
        <source>&amp;Close Connection</source>
        <translation>Verbindung &amp;schließen</translation>
    </message>
    <message>
        <source>&amp;Rename</source>
        <translation>&amp;Umbenennen</translation>
    </message>
    <message>
        <source>Save C&amp;apture As…</source>
        <translation>Mitschnitt speichern &amp;unter…</translation>
    </message>
    <message>
        <source>End the Connection?</source>
        <translation>Verbindung beenden?</translation>
    </message>
    <message>
        <source>The connection is still open. %1 ends it; what it recorded stays in the Connections list.</source>
        <translation>Die Verbindung ist noch offen. %1 beendet sie; was sie aufgezeichnet hat, bleibt in der Verbindungsliste.</translation>
    </message>
    <message>
        <source>Showing another connection</source>
        <translation>Das Zeigen einer anderen Verbindung</translation>
    </message>
    <message>
        <source>Cannot Show the Connection</source>
        <translation>Verbindung kann nicht gezeigt werden</translation>
    </message>
    <message>
        <source>Its capture %1 cannot be read: %2</source>
        <translation>Ihr Mitschnitt %1 kann nicht gelesen werden: %2</translation>
    </message>
    <message>
        <source>Closing it</source>
        <translation>Das Schließen</translation>
    </message>
    <message>
        <source>Open Capture</source>
        <translation>Mitschnitt öffnen</translation>
    </message>
    <message>
        <source>Cannot Open the Capture</source>
        <translation>Mitschnitt kann nicht geöffnet werden</translation>
    </message>
    <message>
        <source>%1 cannot be opened: %2</source>
        <translation>%1 kann nicht geöffnet werden: %2</translation>
    </message>
    <message>
        <source>Opening a capture</source>
        <translation>Das Öffnen eines Mitschnitts</translation>
    </message>
    <message>
        <source>Opened %1</source>
        <translation>%1 geöffnet</translation>
    </message>
    <message>
        <source>Save Capture As</source>
        <translation>Mitschnitt speichern unter</translation>
    </message>
    <message>
        <source>pcapng captures (*.pcapng)</source>
        <translation>pcapng-Mitschnitte (*.pcapng)</translation>
    </message>
    <message>
        <source>Save failed</source>
        <translation>Speichern fehlgeschlagen</translation>
    </message>
    <message>
        <source>Recording</source>
        <translation>Aufzeichnung</translation>
    </message>
    <message>
        <source>&amp;Record every connection as it runs</source>
        <translation>Jede Verbindung während des Laufs &amp;aufzeichnen</translation>
    </message>
    <message>
        <source>&amp;Browse…</source>
        <translation>&amp;Durchsuchen…</translation>
    </message>
    <message>
        <source>&amp;Folder:</source>
        <translation>&amp;Ordner:</translation>
    </message>
    <message>
        <source> MiB</source>
        <translation> MiB</translation>
    </message>
    <message>
        <source>&amp;Stop a recording at:</source>
        <translation>Aufzeichnung &amp;beenden bei:</translation>
    </message>
    <message>
        <source>Recording Folder</source>
        <translation>Aufzeichnungsordner</translation>
    </message>
    <message>
        <source>Applies from the next connection.</source>
        <translation>Gilt ab der nächsten Verbindung.</translation>
    </message>
    <message>
        <source>Captures and HAR files (*.pcapng *.pcap *.cap *.har);;All files (*)</source>
        <translation>Mitschnitte und HAR-Dateien (*.pcapng *.pcap *.cap *.har);;Alle Dateien (*)</translation>
    </message>
    <message>
        <source>Cannot Open the HAR File</source>
        <translation>HAR-Datei kann nicht geöffnet werden</translation>
    </message>
    <message>
        <source>Opening a HAR file</source>
        <translation>Das Öffnen einer HAR-Datei</translation>
    </message>
    <message>
        <source>%1, entry %2</source>
        <translation>%1, Eintrag %2</translation>
    </message>
    <message>
        <source>It was read up to the damage: %1</source>
        <translation>Sie wurde bis zur beschädigten Stelle gelesen: %1</translation>
    </message>
    <message>
        <source>… and %1 more.</source>
        <translation>… und %1 weitere.</translation>
    </message>
    <message>
        <source>Opened with Remarks</source>
        <translation>Mit Anmerkungen geöffnet</translation>
    </message>
    <message>
        <source>%1 was opened. What it does not show as it was:

%2</source>
        <translation>%1 wurde geöffnet. Was sie nicht so zeigt, wie es war:

%2</translation>
    </message>
    <message>
        <source>Export HAR</source>
        <translation>HAR exportieren</translation>
    </message>
    <message>
        <source>HAR files (*.har)</source>
        <translation>HAR-Dateien (*.har)</translation>
    </message>
    <message>
        <source>Saved %1; left out: %2</source>
        <translation>%1 gespeichert; ausgelassen: %2</translation>
    </message>
    <message>
        <source>The window ended the connection here (it dropped TCP); what followed is not recorded.</source>
        <translation>Das Fenster hat die Verbindung hier beendet (TCP abgebrochen); was folgte, ist nicht aufgezeichnet.</translation>
    </message>
    <message>
        <source>Recording of the cases stopped (%1); the run goes on.</source>
        <translation>Aufzeichnung der Fälle beendet (%1); der Lauf geht weiter.</translation>
    </message>
    <message>
        <source>The capture holds a case whose verdict cannot be read (%1); it is shown as a plain connection.</source>
        <translation>Der Mitschnitt enthält einen Fall, dessen Urteil nicht gelesen werden kann (%1); er wird als einfache Verbindung gezeigt.</translation>
    </message>
    <message>
        <source>Not all of it was loaded: %1.</source>
        <translation>Nicht alles wurde geladen: %1.</translation>
    </message>
    <message>
        <source>Another TCP stream of the file opens from the entry&apos;s context menu (Open Another TCP Stream…).</source>
        <translation>Einen weiteren TCP-Stream der Datei öffnet das Kontextmenü des Eintrags (Weiteren TCP-Stream öffnen…).</translation>
    </message>
    <message>
        <source>Co&amp;mpare With…</source>
        <translation>Ver&amp;gleichen mit…</translation>
    </message>
    <message>
        <source>Compare the frames of two connections of the list (Ctrl+click selects the second)</source>
        <translation>Die Frames zweier Verbindungen der Liste vergleichen (Ctrl+click wählt die zweite)</translation>
    </message>
    <message>
        <source>Open Another &amp;TCP Stream…</source>
        <translation>Weiteren &amp;TCP-Stream öffnen…</translation>
    </message>
    <message>
        <source>%1. %2 (started %3)</source>
        <translation>%1. %2 (Beginn %3)</translation>
    </message>
    <message>
        <source>Compare With</source>
        <translation>Vergleichen mit</translation>
    </message>
    <message>
        <source>Compare %1 with:</source>
        <translation>%1 vergleichen mit:</translation>
    </message>
    <message>
        <source>Cannot Compare</source>
        <translation>Vergleich nicht möglich</translation>
    </message>
    <message>
        <source>The capture %1 cannot be read: %2</source>
        <translation>Der Mitschnitt %1 kann nicht gelesen werden: %2</translation>
    </message>
    <message>
        <source>%1, TCP stream %2</source>
        <translation>%1, TCP-Stream %2</translation>
    </message>
    <message>
        <source>Opening %1…</source>
        <translation>%1 wird geöffnet…</translation>
    </message>
    <message>
        <source>%1: %2 → %3, %4 packets, %5 sent, %6 received%7</source>
        <translation>%1: %2 → %3, %4 Pakete, %5 gesendet, %6 empfangen%7</translation>
    </message>
    <message>
        <source>, WebSocket</source>
        <translation>, WebSocket</translation>
    </message>
    <message>
        <source>Open a TCP Stream</source>
        <translation>TCP-Stream öffnen</translation>
    </message>
    <message>
        <source>The TCP streams of %1 (client → server); each opens as an entry of its own:</source>
        <translation>Die TCP-Streams von %1 (Client → Server); jeder öffnet sich als eigener Eintrag:</translation>
    </message>
</context>
<context>
    <name>wsi::gui::MessageModel</name>
    <message>
        <source>#</source>
        <translation>#</translation>
    </message>
    <message>
        <source>Time (ms)</source>
        <translation>Zeit (ms)</translation>
    </message>
    <message>
        <source>Dir</source>
        <translation>Richtung</translation>
    </message>
    <message>
        <source>Type</source>
        <translation>Typ</translation>
    </message>
    <message>
        <source>Frames</source>
        <translation>Frames</translation>
    </message>
    <message>
        <source>Size</source>
        <translation>Größe</translation>
    </message>
    <message>
        <source>Preview</source>
        <translation>Vorschau</translation>
    </message>
    <message>
        <source>Valid UTF-8</source>
        <translation>Gültiges UTF-8</translation>
    </message>
    <message>
        <source>A new text or binary frame started before this message&apos;s final fragment (RFC 6455 §5.4).</source>
        <translation>Ein neuer Text- oder Binär-Frame begann vor dem letzten Fragment dieser Nachricht (RFC 6455 §5.4).</translation>
    </message>
    <message>
        <source>Text</source>
        <translation>Text</translation>
    </message>
    <message>
        <source>Binary</source>
        <translation>Binär</translation>
    </message>
    <message>
        <source>%1 (interrupted)</source>
        <translation>%1 (unterbrochen)</translation>
    </message>
    <message>
        <source>%1 (incomplete)</source>
        <translation>%1 (unvollständig)</translation>
    </message>
    <message>
        <source>no</source>
        <translation>nein</translation>
    </message>
    <message>
        <source>yes</source>
        <translation>ja</translation>
    </message>
    <message>
        <source>Δ Time (ms)</source>
        <translation>Δ Zeit (ms)</translation>
    </message>
    <message>
        <source>%1 · %2</source>
        <translation>%1 · %2</translation>
    </message>
    <message>
        <source>compressed %1</source>
        <translation>komprimiert %1</translation>
    </message>
    <message>
        <source>compressed</source>
        <translation>komprimiert</translation>
    </message>
    <message>
        <source>compressed, does not inflate</source>
        <translation>komprimiert, nicht dekomprimierbar</translation>
    </message>
    <message>
        <source>compressed, not inflated</source>
        <translation>komprimiert, nicht dekomprimiert</translation>
    </message>
    <message>
        <source>Compressed (permessage-deflate, RFC 7692): %1</source>
        <translation>Komprimiert (permessage-deflate, RFC 7692): %1</translation>
    </message>
    <message>
        <source>Does not inflate: %1 (compressed octet %2)</source>
        <translation>Nicht dekomprimierbar: %1 (komprimiertes Oktett %2)</translation>
    </message>
    <message>
        <source>Does not inflate: %1</source>
        <translation>Nicht dekomprimierbar: %1</translation>
    </message>
    <message>
        <source>Not inflated: %1</source>
        <translation>Nicht dekomprimiert: %1</translation>
    </message>
</context>
<context>
    <name>wsi::gui::SequenceWidget</name>
    <message>
        <source>Sequence</source>
        <translation>Sequenz</translation>
    </message>
    <message>
        <source>Bring back the steps as they were before</source>
        <translation>Die Schritte wiederherstellen, wie sie vorher waren</translation>
    </message>
    <message>
        <source>&amp;Undo</source>
        <translation>&amp;Rückgängig</translation>
    </message>
    <message>
        <source>Hide this message</source>
        <translation>Diese Meldung ausblenden</translation>
    </message>
    <message>
        <source>✕</source>
        <translation>✕</translation>
    </message>
    <message>
        <source>The steps run from top to bottom. Drag to reorder; double-click to edit.</source>
        <translation>Die Schritte laufen von oben nach unten. Zum Umordnen ziehen, zum Bearbeiten doppelklicken.</translation>
    </message>
    <message>
        <source>Move the selected step up (Ctrl+Up)</source>
        <translation>Den ausgewählten Schritt nach oben verschieben (Ctrl+Up)</translation>
    </message>
    <message>
        <source>Move U&amp;p</source>
        <translation>Nach &amp;oben</translation>
    </message>
    <message>
        <source>Move the selected step down (Ctrl+Down)</source>
        <translation>Den ausgewählten Schritt nach unten verschieben (Ctrl+Down)</translation>
    </message>
    <message>
        <source>Move Do&amp;wn</source>
        <translation>Nach &amp;unten</translation>
    </message>
    <message>
        <source>Insert a copy of the selected step below it</source>
        <translation>Eine Kopie des ausgewählten Schritts darunter einfügen</translation>
    </message>
    <message>
        <source>Dupl&amp;icate</source>
        <translation>Dupli&amp;zieren</translation>
    </message>
    <message>
        <source>Remove the selected step (Delete)</source>
        <translation>Den ausgewählten Schritt entfernen (Delete)</translation>
    </message>
    <message>
        <source>Remo&amp;ve</source>
        <translation>&amp;Entfernen</translation>
    </message>
    <message>
        <source>Remove every step (can be undone)</source>
        <translation>Alle Schritte entfernen (kann rückgängig gemacht werden)</translation>
    </message>
    <message>
        <source>Cl&amp;ear</source>
        <translation>&amp;Leeren</translation>
    </message>
    <message>
        <source>Seconds:</source>
        <translation>Sekunden:</translation>
    </message>
    <message>
        <source>Seconds for a new delay or timer</source>
        <translation>Sekunden für eine neue Pause oder einen neuen Timer</translation>
    </message>
    <message>
        <source> s</source>
        <translation> s</translation>
    </message>
    <message>
        <source>Append a delay: the following steps wait this long</source>
        <translation>Eine Pause anhängen: Die folgenden Schritte warten so lange</translation>
    </message>
    <message>
        <source>Add &amp;Delay</source>
        <translation>&amp;Pause anhängen</translation>
    </message>
    <message>
        <source>What the timer does when it fires; later steps do not wait for it</source>
        <translation>Was der Timer beim Auslösen tut; spätere Schritte warten nicht auf ihn</translation>
    </message>
    <message>
        <source>Append a timer that closes or fails the connection after the seconds</source>
        <translation>Einen Timer anhängen, der die Verbindung nach den Sekunden schließt oder fehlschlagen lässt</translation>
    </message>
    <message>
        <source>Add &amp;Timer</source>
        <translation>&amp;Timer anhängen</translation>
    </message>
    <message>
        <source>Load a scenario file (JSON); the current steps stay if it cannot be read</source>
        <translation>Eine Szenariodatei (JSON) laden; die aktuellen Schritte bleiben erhalten, falls sie nicht gelesen werden kann</translation>
    </message>
    <message>
        <source>&amp;Load…</source>
        <translation>Lade&amp;n…</translation>
    </message>
    <message>
        <source>Save the steps as a scenario file (JSON), also runnable with wsinspector-cli --scenario</source>
        <translation>Die Schritte als Szenariodatei (JSON) speichern, auch mit wsinspector-cli --scenario ausführbar</translation>
    </message>
    <message>
        <source>&amp;Save…</source>
        <translation>Spe&amp;ichern…</translation>
    </message>
    <message>
        <source>&amp;Run Sequence</source>
        <translation>Aus&amp;führen</translation>
    </message>
    <message>
        <source>%1. %2</source>
        <translation>%1. %2</translation>
    </message>
    <message>
        <source>Close after</source>
        <translation>Schließen nach</translation>
    </message>
    <message>
        <source>Fail after</source>
        <translation>Fehlschlag nach</translation>
    </message>
    <message>
        <source>Edit</source>
        <translation>Bearbeiten</translation>
    </message>
    <message>
        <source>Move Up</source>
        <translation>Nach oben</translation>
    </message>
    <message>
        <source>Move Down</source>
        <translation>Nach unten</translation>
    </message>
    <message>
        <source>Duplicate</source>
        <translation>Duplizieren</translation>
    </message>
    <message>
        <source>Remove</source>
        <translation>Entfernen</translation>
    </message>
    <message>
        <source>Removed all %1.</source>
        <translation>Alle %1 entfernt.</translation>
    </message>
    <message>
        <source>Restored %1.</source>
        <translation>%1 wiederhergestellt.</translation>
    </message>
    <message>
        <source>Step %1 (%2) has nothing to edit.</source>
        <translation>An Schritt %1 (%2) gibt es nichts zu bearbeiten.</translation>
    </message>
    <message>
        <source>Add steps first</source>
        <translation>Zuerst Schritte hinzufügen</translation>
    </message>
    <message>
        <source>Run the steps in order, from the top</source>
        <translation>Die Schritte der Reihe nach von oben ausführen</translation>
    </message>
    <message>
        <source>No steps yet: “Add to Sequence” in the composer adds one.</source>
        <translation>Noch keine Schritte: „Zur Sequenz hinzufügen“ im Editor fügt einen hinzu.</translation>
    </message>
    <message>
        <source>%1 — %2</source>
        <translation>%1 — %2</translation>
    </message>
    <message>
        <source>Could not save the sequence: %1</source>
        <translation>Die Sequenz konnte nicht gespeichert werden: %1</translation>
    </message>
    <message>
        <source>Saved %1 to “%2”.</source>
        <translation>%1 in „%2“ gespeichert.</translation>
    </message>
    <message>
        <source>Could not load the sequence: %1
The current sequence is unchanged.</source>
        <translation>Die Sequenz konnte nicht geladen werden: %1
Die aktuelle Sequenz ist unverändert.</translation>
    </message>
    <message>
        <source>Loaded %1 from “%2”.</source>
        <translation>%1 aus „%2“ geladen.</translation>
    </message>
    <message>
        <source>Save Sequence as Scenario</source>
        <translation>Sequenz als Szenario speichern</translation>
    </message>
    <message>
        <source>Scenario files (*.json);;All files (*)</source>
        <translation>Szenariodateien (*.json);;Alle Dateien (*)</translation>
    </message>
    <message>
        <source>Load Scenario</source>
        <translation>Szenario laden</translation>
    </message>
    <message numerus="yes">
        <source>%Ln step(s)</source>
        <translation>
            <numerusform>%Ln Schritt</numerusform>
            <numerusform>%Ln Schritte</numerusform>
        </translation>
    </message>
    <message>
        <source>Stop the running sequence: the steps not yet run are dropped</source>
        <translation>Die laufende Sequenz anhalten: Die noch nicht ausgeführten Schritte entfallen</translation>
    </message>
    <message>
        <source>Stop</source>
        <translation>Anhalten</translation>
    </message>
    <message>
        <source>Connect &amp;and Run</source>
        <translation>&amp;Verbinden, ausführen</translation>
    </message>
    <message>
        <source>▶ %1. %2</source>
        <translation>▶ %1. %2</translation>
    </message>
    <message>
        <source>“%1” (%2)</source>
        <translation>„%1“ (%2)</translation>
    </message>
    <message>
        <source>Replaced the sequence (%1) with %2, not saved yet.</source>
        <translation>Die Sequenz (%1) durch %2 ersetzt, noch nicht gespeichert.</translation>
    </message>
    <message>
        <source>The sequence is %1, not saved yet.</source>
        <translation>Die Sequenz ist %1, noch nicht gespeichert.</translation>
    </message>
    <message>
        <source>The sequence is running; Stop ends it</source>
        <translation>Die Sequenz läuft; Anhalten beendet sie</translation>
    </message>
    <message>
        <source>Connect, then run the steps in order once the connection is open</source>
        <translation>Verbinden, dann die Schritte der Reihe nach ausführen, sobald die Verbindung offen ist</translation>
    </message>
    <message>
        <source>There is a connection: Run Sequence runs the steps on it</source>
        <translation>Es besteht eine Verbindung: „Ausführen“ führt die Schritte auf ihr aus</translation>
    </message>
</context>
<context>
    <name>wsi::gui::SessionController</name>
    <message>
        <source>Recording is off for this connection: the folder %1 cannot be created.</source>
        <translation>Für diese Verbindung ist die Aufzeichnung aus: Der Ordner %1 kann nicht angelegt werden.</translation>
    </message>
    <message>
        <source>Recording is off for this connection: %1</source>
        <translation>Für diese Verbindung ist die Aufzeichnung aus: %1</translation>
    </message>
    <message>
        <source>Recording stopped: %1</source>
        <translation>Aufzeichnung beendet: %1</translation>
    </message>
    <message>
        <source>Recording stopped at its size limit of %1; the connection goes on, and the window still has all of it.</source>
        <translation>Aufzeichnung an ihrer Größengrenze von %1 beendet; die Verbindung läuft weiter, und das Fenster hat weiterhin alles.</translation>
    </message>
</context>
<context>
    <name>wsi::gui::StatisticsModel</name>
    <message>
        <source>Chop Size</source>
        <translation>Chop-Größe</translation>
    </message>
    <message>
        <source>Opcode</source>
        <translation>Opcode</translation>
    </message>
    <message>
        <source>Count</source>
        <translation>Anzahl</translation>
    </message>
    <message>
        <source>Octets</source>
        <translation>Oktette</translation>
    </message>
    <message>
        <source>Total</source>
        <translation>Gesamt</translation>
    </message>
    <message>
        <source>Reserved</source>
        <translation>Reserviert</translation>
    </message>
</context>
<context>
    <name>wsi::gui::StatisticsPanel</name>
    <message>
        <source>Total</source>
        <translation>Gesamt</translation>
    </message>
    <message>
        <source>Chop Size</source>
        <translation>Chop-Größe</translation>
    </message>
    <message>
        <source>Opcode</source>
        <translation>Opcode</translation>
    </message>
    <message>
        <source>Count</source>
        <translation>Anzahl</translation>
    </message>
    <message>
        <source>Octets</source>
        <translation>Oktette</translation>
    </message>
    <message>
        <source>Chop size %1: count %2, octets %3</source>
        <translation>Chop-Größe %1: Anzahl %2, Oktette %3</translation>
    </message>
    <message>
        <source>Opcode %1 (%2): count %3</source>
        <translation>Opcode %1 (%2): Anzahl %3</translation>
    </message>
    <message>
        <source>No data yet</source>
        <translation>Noch keine Daten</translation>
    </message>
    <message>
        <source>Copy as Text</source>
        <translation>Als Text kopieren</translation>
    </message>
    <message>
        <source>Copy the four tables as the text report prints them</source>
        <translation>Die vier Tabellen so kopieren, wie der Textbericht sie ausgibt</translation>
    </message>
    <message>
        <source>Received: octets %1, reads %2, frames %3 · Sent: octets %4, writes %5, frames %6</source>
        <translation>Empfangen: Oktette %1, Lesevorgänge %2, Frames %3 · Gesendet: Oktette %4, Schreibvorgänge %5, Frames %6</translation>
    </message>
    <message>
        <source>RX</source>
        <translation>RX</translation>
    </message>
    <message>
        <source>TX</source>
        <translation>TX</translation>
    </message>
    <message>
        <source>Storage stopped at %1 octet %2: the limit of %3 stored frames is reached. Later octets and frames are counted, not stored; the statistics stay exact.</source>
        <translation>Speichern endete bei %1-Oktett %2: Die Grenze von %3 gespeicherten Frames ist erreicht. Spätere Oktette und Frames werden gezählt, nicht gespeichert; die Statistik bleibt exakt.</translation>
    </message>
    <message>
        <source>Storage stopped at %1 octet %2: the trace budget of %3 octets is spent. Later octets and frames are counted, not stored; the statistics stay exact.</source>
        <translation>Speichern endete bei %1-Oktett %2: Das Trace-Budget von %3 Oktetten ist verbraucht. Spätere Oktette und Frames werden gezählt, nicht gespeichert; die Statistik bleibt exakt.</translation>
    </message>
    <message>
        <source>Received</source>
        <translation>Empfangen</translation>
    </message>
    <message>
        <source>Sent</source>
        <translation>Gesendet</translation>
    </message>
    <message>
        <source>Connection</source>
        <translation>Verbindung</translation>
    </message>
    <message>
        <source>permessage-deflate: %1</source>
        <translation>permessage-deflate: %1</translation>
    </message>
    <message>
        <source>%1: %2</source>
        <translation>%1: %2</translation>
    </message>
    <message numerus="yes">
        <source>%1 message(s) compressed</source>
        <translation>
            <numerusform>%1 Nachricht komprimiert</numerusform>
            <numerusform>%1 Nachrichten komprimiert</numerusform>
        </translation>
    </message>
    <message>
        <source>%1 not inflated</source>
        <translation>%1 nicht dekomprimiert</translation>
    </message>
    <message>
        <source>Compression (permessage-deflate)</source>
        <translation>Komprimierung (permessage-deflate)</translation>
    </message>
    <message>
        <source>Agreed: %1. The ratio is wire octets over application (inflated) octets; uncompressed messages count on both sides.</source>
        <translation>Vereinbart: %1. Das Verhältnis ist Oktette auf der Leitung durch Oktette der Anwendung (dekomprimiert); unkomprimierte Nachrichten zählen auf beiden Seiten.</translation>
    </message>
    <message>
        <source>Wire</source>
        <translation>Leitung</translation>
    </message>
    <message>
        <source>Inflated</source>
        <translation>Dekomprimiert</translation>
    </message>
    <message>
        <source>Ratio</source>
        <translation>Verhältnis</translation>
    </message>
    <message>
        <source>Messages</source>
        <translation>Nachrichten</translation>
    </message>
    <message>
        <source>Payload octets of the data messages on the wire</source>
        <translation>Payload-Oktette der Datennachrichten auf der Leitung</translation>
    </message>
    <message>
        <source>Payload octets of the data messages as the application sees them (inflated)</source>
        <translation>Payload-Oktette der Datennachrichten, wie die Anwendung sie sieht (dekomprimiert)</translation>
    </message>
    <message>
        <source>Wire octets over application octets</source>
        <translation>Oktette auf der Leitung durch Oktette der Anwendung</translation>
    </message>
    <message>
        <source>Messages compressed (RSV1 on their first frame)</source>
        <translation>Komprimierte Nachrichten (RSV1 in ihrem ersten Frame)</translation>
    </message>
    <message>
        <source>–</source>
        <translation>–</translation>
    </message>
    <message>
        <source>%1 (%2 not inflated)</source>
        <translation>%1 (%2 nicht dekomprimiert)</translation>
    </message>
    <message>
        <source>Messages that did not inflate, or whose octets the trace does not hold</source>
        <translation>Nachrichten, die sich nicht dekomprimieren ließen oder deren Oktette der Trace nicht enthält</translation>
    </message>
</context>
<context>
    <name>wsi::gui::StepDescription</name>
    <message>
        <source>Continuation</source>
        <translation>Continuation</translation>
    </message>
    <message>
        <source>Text</source>
        <translation>Text</translation>
    </message>
    <message>
        <source>Binary</source>
        <translation>Binary</translation>
    </message>
    <message>
        <source>Close</source>
        <translation>Close</translation>
    </message>
    <message>
        <source>Ping</source>
        <translation>Ping</translation>
    </message>
    <message>
        <source>Pong</source>
        <translation>Pong</translation>
    </message>
    <message>
        <source>Invalid %1</source>
        <translation>Ungültig %1</translation>
    </message>
    <message>
        <source>Reserved %1</source>
        <translation>Reserviert %1</translation>
    </message>
    <message>
        <source>Normal Closure</source>
        <translation>Normales Schließen</translation>
    </message>
    <message>
        <source>Going Away</source>
        <translation>Endpunkt geht weg</translation>
    </message>
    <message>
        <source>Protocol Error</source>
        <translation>Protokollfehler</translation>
    </message>
    <message>
        <source>Unsupported Data</source>
        <translation>Nicht unterstützte Daten</translation>
    </message>
    <message>
        <source>Reserved</source>
        <translation>Reserviert</translation>
    </message>
    <message>
        <source>No Status Received</source>
        <translation>Kein Status empfangen</translation>
    </message>
    <message>
        <source>Abnormal Closure</source>
        <translation>Abnormales Schließen</translation>
    </message>
    <message>
        <source>Invalid Frame Payload Data</source>
        <translation>Ungültige Frame-Payload-Daten</translation>
    </message>
    <message>
        <source>Policy Violation</source>
        <translation>Richtlinienverstoß</translation>
    </message>
    <message>
        <source>Message Too Big</source>
        <translation>Nachricht zu groß</translation>
    </message>
    <message>
        <source>Mandatory Extension</source>
        <translation>Erforderliche Erweiterung</translation>
    </message>
    <message>
        <source>Internal Error</source>
        <translation>Interner Fehler</translation>
    </message>
    <message>
        <source>Service Restart</source>
        <translation>Dienst-Neustart</translation>
    </message>
    <message>
        <source>Try Again Later</source>
        <translation>Später erneut versuchen</translation>
    </message>
    <message>
        <source>Bad Gateway</source>
        <translation>Fehlerhaftes Gateway</translation>
    </message>
    <message>
        <source>TLS Handshake</source>
        <translation>TLS-Handshake</translation>
    </message>
    <message>
        <source>Registered</source>
        <translation>Registriert</translation>
    </message>
    <message>
        <source>Private Use</source>
        <translation>Private Nutzung</translation>
    </message>
    <message>
        <source>not a close code</source>
        <translation>kein Close-Code</translation>
    </message>
    <message>
        <source>(invalid on the wire)</source>
        <translation>(auf der Leitung ungültig)</translation>
    </message>
    <message>
        <source>chop %1</source>
        <translation>Chop %1</translation>
    </message>
    <message>
        <source>%1 ms between chops</source>
        <translation>%1 ms zwischen Chops</translation>
    </message>
    <message>
        <source>sync</source>
        <translation>sync</translation>
    </message>
    <message>
        <source>FIN=%1</source>
        <translation>FIN=%1</translation>
    </message>
    <message>
        <source>RSV=%1</source>
        <translation>RSV=%1</translation>
    </message>
    <message>
        <source>key %1</source>
        <translation>Schlüssel %1</translation>
    </message>
    <message>
        <source>unmasked</source>
        <translation>unmaskiert</translation>
    </message>
    <message>
        <source>mask bit without key</source>
        <translation>Mask-Bit ohne Schlüssel</translation>
    </message>
    <message>
        <source>%1 repeating a pattern of %2</source>
        <translation>%1 aus einem wiederholten Muster von %2</translation>
    </message>
    <message>
        <source>7-bit length</source>
        <translation>7-Bit-Länge</translation>
    </message>
    <message>
        <source>16-bit length</source>
        <translation>16-Bit-Länge</translation>
    </message>
    <message>
        <source>64-bit length</source>
        <translation>64-Bit-Länge</translation>
    </message>
    <message>
        <source>declares %1</source>
        <translation>gibt %1 an</translation>
    </message>
    <message>
        <source>Frame: %1</source>
        <translation>Frame: %1</translation>
    </message>
    <message>
        <source>Binary message</source>
        <translation>Binärnachricht</translation>
    </message>
    <message>
        <source>Text message</source>
        <translation>Textnachricht</translation>
    </message>
    <message>
        <source>fragments of %1</source>
        <translation>Fragmente zu %1</translation>
    </message>
    <message>
        <source>Delay %1</source>
        <translation>Pause %1</translation>
    </message>
    <message>
        <source>Delay %1 (tag %2)</source>
        <translation>Pause %1 (Kennung %2)</translation>
    </message>
    <message>
        <source>Close %1</source>
        <translation>Close %1</translation>
    </message>
    <message>
        <source>Close without a code</source>
        <translation>Close ohne Code</translation>
    </message>
    <message>
        <source>reason of %1</source>
        <translation>Grund von %1</translation>
    </message>
    <message>
        <source>reason %1</source>
        <translation>Grund %1</translation>
    </message>
    <message>
        <source>Fail the connection</source>
        <translation>Verbindung fehlschlagen lassen</translation>
    </message>
    <message>
        <source>Drop TCP</source>
        <translation>TCP kappen</translation>
    </message>
    <message>
        <source>Half-close (TCP FIN)</source>
        <translation>Halbschließen (TCP FIN)</translation>
    </message>
    <message>
        <source>Timer: close after %1</source>
        <translation>Timer: schließen nach %1</translation>
    </message>
    <message>
        <source>Timer: fail after %1</source>
        <translation>Timer: Fehlschlag nach %1</translation>
    </message>
    <message>
        <source>Record timeout %1 while open, else stop</source>
        <translation>Timeout %1 aufzeichnen, solange offen, sonst anhalten</translation>
    </message>
    <message>
        <source>Frame header only: %1, FIN %2, declares %3</source>
        <translation>Nur Frame-Header: %1, FIN %2, gibt %3 an</translation>
    </message>
    <message>
        <source>set</source>
        <translation>gesetzt</translation>
    </message>
    <message>
        <source>clear</source>
        <translation>nicht gesetzt</translation>
    </message>
    <message>
        <source>Frame data</source>
        <translation>Frame-Daten</translation>
    </message>
</context>
<context>
    <name>wsi::gui::StepListModel</name>
    <message>
        <source>Double-click to change the seconds</source>
        <translation>Doppelklicken, um die Sekunden zu ändern</translation>
    </message>
    <message>
        <source>Double-click to edit the step in the composer</source>
        <translation>Doppelklicken, um den Schritt im Editor zu bearbeiten</translation>
    </message>
</context>
<context>
    <name>wsi::gui::TableActions</name>
    <message>
        <source>The payload&apos;s octets are not kept (the trace&apos;s storage limit or the frame size limit): nothing copied.</source>
        <translation>Die Oktette der Payload sind nicht aufbewahrt (Speichergrenze der Aufzeichnung oder Frame-Größengrenze): nichts kopiert.</translation>
    </message>
    <message>
        <source>The payload&apos;s octets are not kept.</source>
        <translation>Die Oktette der Payload sind nicht aufbewahrt.</translation>
    </message>
    <message>
        <source>&amp;Copy</source>
        <translation>&amp;Kopieren</translation>
    </message>
    <message>
        <source>Copy the selected rows as tab-separated text with a header line</source>
        <translation>Die ausgewählten Zeilen als tabulatorgetrennten Text mit Kopfzeile kopieren</translation>
    </message>
    <message>
        <source>Copy &amp;Payload as</source>
        <translation>&amp;Payload kopieren als</translation>
    </message>
    <message>
        <source>&amp;Text</source>
        <translation>&amp;Text</translation>
    </message>
    <message>
        <source>&amp;Hex</source>
        <translation>&amp;Hex</translation>
    </message>
    <message>
        <source>&amp;Base64</source>
        <translation>&amp;Base64</translation>
    </message>
    <message>
        <source>&amp;C Array</source>
        <translation>&amp;C-Array</translation>
    </message>
    <message>
        <source>Copy as wsinspector-cli Co&amp;mmand</source>
        <translation>Als wsinspector-cli-&amp;Befehl kopieren</translation>
    </message>
    <message>
        <source>A wsinspector-cli send command that sends this frame again</source>
        <translation>Ein wsinspector-cli-send-Befehl, der diesen Frame erneut sendet</translation>
    </message>
    <message>
        <source>&amp;Resend</source>
        <translation>&amp;Erneut senden</translation>
    </message>
    <message>
        <source>Add to &amp;Sequence</source>
        <translation>Zur Se&amp;quenz hinzufügen</translation>
    </message>
    <message>
        <source>&amp;Edit in Composer</source>
        <translation>Im Editor be&amp;arbeiten</translation>
    </message>
    <message>
        <source>Copy &amp;Payload as (octets not kept)</source>
        <translation>&amp;Payload kopieren als (Oktette nicht aufbewahrt)</translation>
    </message>
    <message>
        <source>Nothing selected to copy.</source>
        <translation>Nichts zum Kopieren ausgewählt.</translation>
    </message>
    <message>
        <source>Copied the first %1 rows (at most %1 at once).</source>
        <translation>Die ersten %1 Zeilen kopiert (höchstens %1 auf einmal).</translation>
    </message>
    <message numerus="yes">
        <source>Copied %Ln row(s).</source>
        <translation>
            <numerusform>%Ln Zeile kopiert.</numerusform>
            <numerusform>%Ln Zeilen kopiert.</numerusform>
        </translation>
    </message>
    <message>
        <source>The payload has %1 octets; at most %2 are copied as text.</source>
        <translation>Die Payload hat %1 Oktette; höchstens %2 werden als Text kopiert.</translation>
    </message>
    <message numerus="yes">
        <source>Copied %Ln payload octet(s).</source>
        <translation>
            <numerusform>%Ln Payload-Oktett kopiert.</numerusform>
            <numerusform>%Ln Payload-Oktette kopiert.</numerusform>
        </translation>
    </message>
    <message>
        <source>Only frames and messages can be sent again.</source>
        <translation>Nur Frames und Nachrichten können erneut gesendet werden.</translation>
    </message>
    <message>
        <source>Copied the wsinspector-cli command.</source>
        <translation>Den wsinspector-cli-Befehl kopiert.</translation>
    </message>
</context>
<context>
    <name>wsi::gui::WireLogModel</name>
    <message>
        <source>Index</source>
        <translation>Index</translation>
    </message>
    <message>
        <source>Time (ms)</source>
        <translation>Zeit (ms)</translation>
    </message>
    <message>
        <source>Direction</source>
        <translation>Richtung</translation>
    </message>
    <message>
        <source>Kind</source>
        <translation>Eintragsart</translation>
    </message>
    <message>
        <source>Size</source>
        <translation>Größe</translation>
    </message>
    <message>
        <source>Details</source>
        <translation>Details</translation>
    </message>
    <message>
        <source>sync</source>
        <translation>sync</translation>
    </message>
    <message numerus="yes">
        <source>%1 octet(s)</source>
        <translation>
            <numerusform>%1 Oktett</numerusform>
            <numerusform>%1 Oktette</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>(%1 of %2 octet(s) shown)</source>
        <translation>
            <numerusform>(%1 von %2 Oktett gezeigt)</numerusform>
            <numerusform>(%1 von %2 Oktetten gezeigt)</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>(only the first %1 of %2 octet(s) were kept)</source>
        <translation>
            <numerusform>(nur die ersten %1 von %2 Oktett wurden gespeichert)</numerusform>
            <numerusform>(nur die ersten %1 von %2 Oktetten wurden gespeichert)</numerusform>
        </translation>
    </message>
</context>
</TS>
