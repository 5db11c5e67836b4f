/* ra-file-read.c — small input files read whole, never more than a bound
 *
 * Copyright 2026 The Refusal Audit authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <glib/gi18n-lib.h>
#include <glib/gstdio.h>
#include <sys/stat.h>
#include <unistd.h>

#include "ra-file-read.h"

static gboolean
fail_errno (const char  *path,
            const char  *what,
            int          errsv,
            GError     **error)
{
  g_autofree char *name = g_filename_display_name (path);

  g_set_error (error, G_FILE_ERROR, g_file_error_from_errno (errsv), "%s: %s: %s", name, what,
               g_strerror (errsv));
  return FALSE;
}

gboolean
ra_file_read_bounded (const char  *path,
                      gsize        max_bytes,
                      char       **contents,
                      gsize       *length,
                      GError     **error)
{
  g_autoptr(GByteArray) data = NULL;
  struct stat st;
  int fd;

  g_return_val_if_fail (path != NULL && contents != NULL, FALSE);

  *contents = NULL;
  if (length != NULL)
    *length = 0;
  if ((fd = g_open (path, O_RDONLY | O_CLOEXEC, 0)) < 0)
    return fail_errno (path, _("cannot open the file"), errno, error);
  if (fstat (fd, &st) == 0 && S_ISDIR (st.st_mode))
    {
      g_autofree char *name = g_filename_display_name (path);

      close (fd);
      g_set_error (error, G_FILE_ERROR, G_FILE_ERROR_ISDIR, _("%s: is a folder, not a file"), name);
      return FALSE;
    }

  data = g_byte_array_sized_new (S_ISREG (st.st_mode) && (gsize) st.st_size <= max_bytes
                                 ? (guint) st.st_size + 1 : 65536);
  for (;;)
    {
      guint8 buf[65536];
      gsize want = MIN (sizeof buf, max_bytes + 1 - data->len);
      gssize got = read (fd, buf, want);

      if (got < 0 && errno == EINTR)
        continue;
      if (got < 0)
        {
          int errsv = errno;

          close (fd);
          return fail_errno (path, _("cannot read the file"), errsv, error);
        }
      if (got == 0)
        break;
      g_byte_array_append (data, buf, (guint) got);
      if (data->len > max_bytes)
        {
          g_autofree char *name = g_filename_display_name (path);
          g_autofree char *limit = g_format_size (max_bytes);

          close (fd);
          g_set_error (error, G_IO_ERROR, G_IO_ERROR_MESSAGE_TOO_LARGE,
                       _("%s: holds more than %s, far more than such a file can need "
                         "(an endless input such as /dev/zero, or the wrong file); reading stopped there"),
                       name, limit);
          return FALSE;
        }
    }
  close (fd);
  if (length != NULL)
    *length = data->len;
  g_byte_array_append (data, (const guint8 *) "", 1);
  *contents = (char *) g_byte_array_free (g_steal_pointer (&data), FALSE);
  return TRUE;
}
