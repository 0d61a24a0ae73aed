# SPDX-License-Identifier: MIT
# The README's two commands: `make run` and `make test`. Both install what is missing (as root),
# configure with a CMake preset, and build.

PRESET  ?= dev
BUILD   := build/$(PRESET)
JOBS    ?= $(shell nproc 2>/dev/null || echo 2)
PACKAGES := build-essential cmake ninja-build pkg-config qt6-base-dev qt6-websockets-dev \
            qt6-tools-dev qt6-tools-dev-tools qt6-l10n-tools libgl-dev libvulkan-dev \
            python3 python3-autobahn python3-websockets nodejs node-ws xvfb xauth openssl libssl-dev \
            qt6-translations-l10n desktop-file-utils appstream man-db clang-format-14 tshark \
            clang libclang-rt-14-dev zlib1g-dev tinyproxy microsocks

.PHONY: all deps configure build run test test-asan test-tsan test-fuzz test-long bench screenshots clean format \
        install package

all: build

# Installs the missing Debian packages when run as root; otherwise prints the one line to run.
deps:
	@missing=""; for p in $(PACKAGES); do \
	    dpkg-query -W -f='$${Status}' $$p 2>/dev/null | grep -q "install ok installed" || missing="$$missing $$p"; \
	done; \
	if [ -n "$$missing" ]; then \
	    if [ "$$(id -u)" = 0 ]; then \
	        echo "Installing:$$missing"; \
	        export DEBIAN_FRONTEND=noninteractive; \
	        apt-get update -qq && apt-get install -y -qq --no-install-recommends $$missing >/dev/null || exit 1; \
	    else \
	        echo "Missing packages. Run as root:"; \
	        echo "  apt-get install -y$$missing"; \
	        exit 1; \
	    fi; \
	fi

configure: deps
	@test -f $(BUILD)/build.ninja || cmake --preset $(PRESET)

build: configure
	cmake --build $(BUILD) -j $(JOBS)

run: build
	$(BUILD)/app/wsinspector --connect

# Everything but the long interop runs (`make test-long`); the interop tests of `make test` include
# a selection of the permessage-deflate cases 12.x/13.x against the compressing servers.
test: build
	cd $(BUILD) && QT_QPA_PLATFORM=offscreen ctest --output-on-failure -j $(JOBS) --timeout 900 -LE interop-long $(CTEST_ARGS)

# The same suite built with AddressSanitizer and UndefinedBehaviorSanitizer (the `asan` preset):
# any report fails its test. Leak reports of libraries the tests load are listed in
# tests/sanitizer/lsan.supp, each with its reason.
SANITIZER_ENV := ASAN_OPTIONS=halt_on_error=1:detect_leaks=1:strict_string_checks=1 \
    UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1 \
    LSAN_OPTIONS=suppressions=$(CURDIR)/tests/sanitizer/lsan.supp:print_suppressions=0
test-asan:
	@$(MAKE) --no-print-directory PRESET=asan build
	cd build/asan && QT_QPA_PLATFORM=offscreen $(SANITIZER_ENV) ctest --output-on-failure -j $(JOBS) --timeout 1200 -LE interop-long $(CTEST_ARGS)

# The same suite with ThreadSanitizer (the `tsan` preset): the session thread, the trace batches
# it hands to the window's thread, the case runner's jobs. Any report fails its test. Debian's Qt
# and GLib are not built with it: what they do inside is listed in tests/sanitizer/tsan.supp,
# each entry with its reason (our own code has none there). die_after_fork=0: Qt 6.4's QProcess
# starts children with clone(CLONE_VM|CLONE_VFORK), after which the sanitizer treats the parent
# as forked while multi-threaded and kills it at its next thread start; the child only calls exec.
TSAN_ENV := TSAN_OPTIONS=halt_on_error=1:second_deadlock_stack=1:die_after_fork=0:suppressions=$(CURDIR)/tests/sanitizer/tsan.supp
test-tsan:
	@$(MAKE) --no-print-directory PRESET=tsan build
	cd build/tsan && QT_QPA_PLATFORM=offscreen $(TSAN_ENV) ctest --output-on-failure -j $(JOBS) --timeout 1800 -LE interop-long $(CTEST_ARGS)

# The libFuzzer targets (the `fuzz` preset, clang): a short deterministic run of each, as CI does.
# Long runs by hand: build/fuzz/tests/fuzz/fuzz_capture -max_total_time=600 corpus/
FUZZ_TARGETS := fuzz_parser fuzz_handshake fuzz_inflate fuzz_capture
test-fuzz:
	@$(MAKE) --no-print-directory PRESET=fuzz configure
	cmake --build build/fuzz -j $(JOBS) --target $(FUZZ_TARGETS)
	cd build/fuzz && ctest --output-on-failure -L fuzz $(CTEST_ARGS)

# The long interop runs: group 9 against the three echo servers, and groups 12 and 13 in full
# (216 cases with permessage-deflate) against python3-websockets, python3-autobahn and node-ws.
test-long: build
	cd $(BUILD) && QT_QPA_PLATFORM=offscreen ctest --output-on-failure --timeout 900 -L interop-long $(CTEST_ARGS)

bench:
	@$(MAKE) --no-print-directory PRESET=release build
	@for b in build/release/bench/bench_*; do [ -x "$$b" ] && "$$b" || exit 1; done

# Every combination of 1600x1000 and 1280x800, English and German, light and dark, into
# $(BUILD)/screenshots; the README's (1600x1000, English) are copied to docs/screenshots.
SHOTS := $(BUILD)/screenshots
screenshots: build
	@qm=$$(find $(BUILD) -name wsinspector_de.qm | head -n 1); \
	for size in 1600x1000 1280x800; do for theme in light dark; do for lang in en de; do \
	    echo "screenshots: $$size $$theme $$lang"; \
	    WSI_SCREENSHOT_SIZE=$$size QT_QPA_PLATFORM=offscreen \
	        $(BUILD)/tests/wsi-screenshots $(SHOTS) $$theme $$lang "$$qm" || exit 1; \
	done; done; done
	@mkdir -p docs/screenshots
	cp $(SHOTS)/main-window.png $(SHOTS)/main-window-dark.png $(SHOTS)/wire-log-statistics.png \
	   $(SHOTS)/wire-log-statistics-dark.png $(SHOTS)/violation-handshake.png \
	   $(SHOTS)/violation-handshake-dark.png $(SHOTS)/cases.png $(SHOTS)/cases-dark.png \
	   $(SHOTS)/context-menu.png $(SHOTS)/tls-handshake.png $(SHOTS)/connections.png \
	   $(SHOTS)/compare.png $(SHOTS)/deflate-detail.png \
	   $(SHOTS)/deflate-messages-statistics.png docs/screenshots/

# `make install` (PREFIX=/usr/local; DESTDIR for staging): the executables, the .desktop file,
# the icons, the AppStream metainfo and the man page. `make package`: the .deb (PRESET=release
# for an optimised one).
PREFIX ?= /usr/local
install: build
	DESTDIR=$(DESTDIR) cmake --install $(BUILD) --prefix $(PREFIX)

package: build
	cd $(BUILD) && cpack -G DEB
	@ls $(BUILD)/*.deb

clean:
	rm -rf build

# Lays out every C++ source as .clang-format says, with the clang-format that tst_format checks by.
format:
	clang-format-14 -i $$(find app tests bench -name '*.cpp' -o -name '*.h')
