// SPDX-License-Identifier: MIT
#include "cliparser.h"
