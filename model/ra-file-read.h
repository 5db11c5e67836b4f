/* ra-file-read.h — small input files read whole, never more than a bound
 *
 * Copyright 2026 The Refusal Audit authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * A rules file, an external frame's counts or sample are read whole. Given
 * /dev/zero, /dev/urandom or a pipe that never ends, g_file_get_contents()
 * reads until memory runs out; this stops at a bound and says so.
 */

#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

/* Reads PATH whole into *CONTENTS (NUL-terminated, *LENGTH bytes). Fails
 * with G_IO_ERROR_MESSAGE_TOO_LARGE when it holds more than MAX_BYTES
 * (after reading MAX_BYTES + 1), else in G_FILE_ERROR (G_FILE_ERROR_ISDIR
 * for a folder, or the error of open/read); every message names PATH. */
gboolean ra_file_read_bounded (const char  *path,
                               gsize        max_bytes,
                               char       **contents,
                               gsize       *length,
                               GError     **error);

G_END_DECLS
