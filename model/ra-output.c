/* ra-output.c — the one safe way to write an output file or standard output
 *
 * Copyright 2026 The Refusal Audit authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#ifndef _GNU_SOURCE
#define _GNU_SOURCE /* fopencookie */
#endif

#define G_LOG_DOMAIN "ra-output"

#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <glib/gi18n-lib.h>
#include <glib/gstdio.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "ra-output.h"

struct _RaOutput
{
  char         *name;       /* the path as given, for messages */
  char         *target;     /* the file written at the end (symbolic links resolved) */
  char         *temp;       /* RA_OUTPUT_REPLACE: the temporary file beside it */
  RaOutputMode  mode;
  int           fd;
  gboolean      own_fd;
  gboolean      existed;    /* the target existed: keep its permissions */
  mode_t        old_mode;
  FILE         *stream;
  int           errsv;      /* the first write error (errno), 0 if none */
  gboolean      closed;
};

G_DEFINE_QUARK (ra-output-error-quark, ra_output_error)

/* The store, its SQLite files and the lock file imports take turns by
 * (replacing it would let two imports hold "the" lock at once). */
static const char * const store_suffixes[] = { "", "-wal", "-shm", "-journal", "-import.lock" };

static int
error_code_for_errno (int errsv)
{
  return errsv == ENOSPC || errsv == EDQUOT ? RA_OUTPUT_ERROR_FULL : RA_OUTPUT_ERROR_WRITE;
}

static gboolean
set_write_error (RaOutput    *self,
                 int          errsv,
                 GError     **error)
{
  g_set_error (error, RA_OUTPUT_ERROR, error_code_for_errno (errsv),
               _("cannot write to %s: %s"), self->name, g_strerror (errsv));
  return FALSE;
}

static ssize_t
cookie_write (void       *cookie,
              const char *buf,
              size_t      size)
{
  RaOutput *self = cookie;
  size_t done = 0;

  if (self->errsv != 0)
    {
      errno = self->errsv;
      return -1;
    }
  while (done < size)
    {
      ssize_t n = write (self->fd, buf + done, size - done);

      if (n < 0 && errno == EINTR)
        continue;
      if (n <= 0)
        {
          self->errsv = n < 0 ? errno : EIO;
          errno = self->errsv;
          return -1;
        }
      done += n;
    }
  return size;
}

static int
cookie_close (void *cookie)
{
  (void) cookie;
  return 0;
}

static void
make_stream (RaOutput *self)
{
  cookie_io_functions_t functions = { .write = cookie_write, .close = cookie_close };

  self->stream = fopencookie (self, "w", functions);
  if (self->stream == NULL)
    g_error ("out of memory");
  if (isatty (self->fd))
    setvbuf (self->stream, NULL, _IOLBF, 0);
}

/* "/dev/stdout", "/dev/fd/3", "/proc/self/fd/3": the descriptor, else -1. */
static int
fd_of_path (const char *path)
{
  const char *rest = NULL;
  guint64 n;

  if (g_strcmp0 (path, "-") == 0 || g_strcmp0 (path, "/dev/stdout") == 0)
    return STDOUT_FILENO;
  if (g_strcmp0 (path, "/dev/stderr") == 0)
    return STDERR_FILENO;
  if (g_str_has_prefix (path, "/dev/fd/"))
    rest = path + strlen ("/dev/fd/");
  else if (g_str_has_prefix (path, "/proc/self/fd/"))
    rest = path + strlen ("/proc/self/fd/");
  if (rest != NULL && g_ascii_string_to_unsigned (rest, 10, 0, G_MAXINT, &n, NULL))
    return (int) n;
  return -1;
}

/* Follows symbolic links to the file they finally name (which may not exist
 * yet). */
static char *
resolve_links (const char  *name,
               GError     **error)
{
  g_autofree char *path = g_strdup (name);

  for (guint hops = 0; hops < 40; hops++)
    {
      g_autofree char *link = NULL;
      struct stat st;

      if (g_lstat (path, &st) != 0 || !S_ISLNK (st.st_mode))
        return g_steal_pointer (&path);
      if (!(link = g_file_read_link (path, NULL)))
        return g_steal_pointer (&path);
      if (!g_path_is_absolute (link))
        {
          g_autofree char *dir = g_path_get_dirname (path);
          g_autofree char *joined = g_build_filename (dir, link, NULL);
          g_free (path);
          path = g_steal_pointer (&joined);
        }
      else
        {
          g_free (path);
          path = g_steal_pointer (&link);
        }
    }
  g_set_error (error, RA_OUTPUT_ERROR, RA_OUTPUT_ERROR_REFUSED,
               _("cannot write to %s: %s"), name, g_strerror (ELOOP));
  return NULL;
}

/* PATH with its folder made canonical (the file itself may not exist). */
static char *
canonical_path (const char *path)
{
  g_autofree char *dir = g_path_get_dirname (path);
  g_autofree char *base = g_path_get_basename (path);
  g_autofree char *real = realpath (dir, NULL);

  return g_build_filename (real ? real : dir, base, NULL);
}

/* Whether the file of TARGET_ST is one of the files of a store in PROTECT. */
static gboolean
is_protected_inode (const struct stat  *target_st,
                    const char * const *protect,
                    const char        **which)
{
  for (guint i = 0; protect != NULL && protect[i] != NULL; i++)
    for (guint s = 0; s < G_N_ELEMENTS (store_suffixes); s++)
      {
        g_autofree char *name = g_strconcat (protect[i], store_suffixes[s], NULL);
        struct stat st;

        if (g_stat (name, &st) == 0 && st.st_dev == target_st->st_dev && st.st_ino == target_st->st_ino)
          {
            *which = protect[i];
            return TRUE;
          }
      }
  return FALSE;
}

/* Whether TARGET (TARGET_ST when it exists) is one of the files of a
 * store in PROTECT: the same file, or the same name once links and the
 * folder are resolved (a file not made yet). */
static gboolean
is_protected (const char         *target,
              const struct stat  *target_st,
              const char * const *protect,
              const char        **which)
{
  g_autofree char *canonical = NULL;

  if (target_st != NULL && is_protected_inode (target_st, protect, which))
    return TRUE;
  canonical = canonical_path (target);
  for (guint i = 0; protect != NULL && protect[i] != NULL; i++)
    {
      for (guint s = 0; s < G_N_ELEMENTS (store_suffixes); s++)
        {
          g_autofree char *name = g_strconcat (protect[i], store_suffixes[s], NULL);
          g_autofree char *resolved = resolve_links (name, NULL);
          g_autofree char *canonical_name = NULL;

          canonical_name = canonical_path (resolved ? resolved : name);
          if (g_strcmp0 (canonical_name, canonical) == 0)
            {
              *which = protect[i];
              return TRUE;
            }
        }
    }
  return FALSE;
}

static gboolean
refuse (GError    **error,
        const char *name,
        const char *why)
{
  g_set_error (error, RA_OUTPUT_ERROR, RA_OUTPUT_ERROR_REFUSED,
               _("will not write to %s: %s"), name, why);
  return FALSE;
}

RaOutput *
ra_output_new_for_fd (int         fd,
                      const char *name)
{
  RaOutput *self = g_new0 (RaOutput, 1);

  self->name = g_strdup (name);
  self->mode = RA_OUTPUT_FD;
  self->fd = fd;
  make_stream (self);
  return self;
}

RaOutput *
ra_output_open (const char          *path,
                const char * const  *protect,
                GError             **error)
{
  g_autoptr(RaOutput) self = NULL;
  struct stat st;
  const char *which = NULL;
  int fd;

  if (path == NULL)
    path = "-";

  if ((fd = fd_of_path (path)) >= 0)
    {
      int copy;

      /* The descriptor (standard output appended to the store, -o
       * /proc/self/fd/N opened on it) is checked like a named file: the
       * store's first pages were overwritten with the export. */
      if (fstat (fd, &st) == 0 && S_ISREG (st.st_mode) && is_protected_inode (&st, protect, &which))
        {
          g_autofree char *why = g_strdup_printf (_("it is the store %s (or one of its files); "
                                                    "it was left untouched"), which);
          refuse (error, g_str_equal (path, "-") ? _("standard output") : path, why);
          return NULL;
        }

      if ((copy = fcntl (fd, F_DUPFD_CLOEXEC, 3)) < 0)
        {
          int errsv = errno;
          g_set_error (error, RA_OUTPUT_ERROR, RA_OUTPUT_ERROR_WRITE,
                       _("cannot write to %s: %s"),
                       g_str_equal (path, "-") ? _("standard output") : path, g_strerror (errsv));
          return NULL;
        }
      self = ra_output_new_for_fd (copy, g_str_equal (path, "-") ? _("standard output") : path);
      self->own_fd = TRUE;
      return g_steal_pointer (&self);
    }

  self = g_new0 (RaOutput, 1);
  self->name = g_strdup (path);
  self->fd = -1;
  if (*path == '\0')
    {
      refuse (error, "''", _("the file name is empty"));
      return NULL;
    }
  if (!(self->target = resolve_links (path, error)))
    return NULL;

  if (g_stat (self->target, &st) == 0)
    {
      if (is_protected (self->target, &st, protect, &which))
        {
          g_autofree char *why = g_strdup_printf (_("it is the store %s (or one of its files); "
                                                    "it was left untouched"), which);
          refuse (error, path, why);
          return NULL;
        }
      if (S_ISDIR (st.st_mode))
        {
          refuse (error, path, _("it is a folder"));
          return NULL;
        }
      if (S_ISBLK (st.st_mode))
        {
          refuse (error, path, _("it is a block device; it was left untouched"));
          return NULL;
        }
      if (S_ISREG (st.st_mode))
        {
          /* Read-only means read-only, even for root (who may write anyway). */
          if ((st.st_mode & 0222) == 0 || access (self->target, W_OK) != 0)
            {
              refuse (error, path, _("the file is read-only; it was left untouched"));
              return NULL;
            }
          self->mode = RA_OUTPUT_REPLACE;
          self->existed = TRUE;
          self->old_mode = st.st_mode & 07777;
        }
      else
        self->mode = RA_OUTPUT_IN_PLACE;   /* FIFO, character device, socket */
    }
  else if (errno != ENOENT)
    {
      int errsv = errno;
      g_set_error (error, RA_OUTPUT_ERROR, RA_OUTPUT_ERROR_WRITE,
                   _("cannot write to %s: %s"), path, g_strerror (errsv));
      return NULL;
    }
  else
    {
      if (is_protected (self->target, NULL, protect, &which))
        {
          g_autofree char *why = g_strdup_printf (_("the name belongs to the store %s; "
                                                    "choose another name"), which);
          refuse (error, path, why);
          return NULL;
        }
      self->mode = RA_OUTPUT_REPLACE;
    }

  if (self->mode == RA_OUTPUT_IN_PLACE)
    {
      if ((self->fd = g_open (self->target, O_WRONLY | O_NOCTTY | O_CLOEXEC, 0)) < 0)
        {
          int errsv = errno;
          g_set_error (error, RA_OUTPUT_ERROR, error_code_for_errno (errsv),
                       _("cannot write to %s: %s"), path, g_strerror (errsv));
          return NULL;
        }
    }
  else
    {
      g_autofree char *dir = g_path_get_dirname (self->target);
      g_autofree char *base = g_path_get_basename (self->target);
      g_autofree char *pattern = g_strdup_printf (".%s.XXXXXX", base);

      self->temp = g_build_filename (dir, pattern, NULL);
      if ((self->fd = g_mkstemp_full (self->temp, O_WRONLY | O_CLOEXEC, 0666)) < 0)
        {
          int errsv = errno;
          g_clear_pointer (&self->temp, g_free);
          if (!g_file_test (dir, G_FILE_TEST_IS_DIR))
            g_set_error (error, RA_OUTPUT_ERROR, RA_OUTPUT_ERROR_WRITE,
                         _("cannot write to %s: the folder %s does not exist"), path, dir);
          else
            g_set_error (error, RA_OUTPUT_ERROR, error_code_for_errno (errsv),
                         _("cannot write to %s: cannot create a file in the folder %s: %s"),
                         path, dir, g_strerror (errsv));
          return NULL;
        }
    }
  self->own_fd = TRUE;
  make_stream (self);
  return g_steal_pointer (&self);
}

FILE *
ra_output_get_stream (RaOutput *self)
{
  g_return_val_if_fail (self != NULL, NULL);
  return self->stream;
}

RaOutputMode
ra_output_get_mode (RaOutput *self)
{
  g_return_val_if_fail (self != NULL, RA_OUTPUT_FD);
  return self->mode;
}

const char *
ra_output_get_temp_path (RaOutput *self)
{
  g_return_val_if_fail (self != NULL, NULL);
  return self->temp;
}

const char *
ra_output_get_name (RaOutput *self)
{
  g_return_val_if_fail (self != NULL, NULL);
  return self->name;
}

gboolean
ra_output_write (RaOutput    *self,
                 const void  *data,
                 gsize        length,
                 GError     **error)
{
  g_return_val_if_fail (self != NULL && self->stream != NULL, FALSE);

  if (length > 0 && fwrite (data, 1, length, self->stream) != length)
    return set_write_error (self, self->errsv ? self->errsv : EIO, error);
  if (self->errsv != 0)
    return set_write_error (self, self->errsv, error);
  return TRUE;
}

gboolean
ra_output_printf (RaOutput    *self,
                  GError     **error,
                  const char  *format,
                  ...)
{
  va_list args;
  int n;

  g_return_val_if_fail (self != NULL && self->stream != NULL, FALSE);

  va_start (args, format);
  n = vfprintf (self->stream, format, args);
  va_end (args);
  if (n < 0 || self->errsv != 0)
    return set_write_error (self, self->errsv ? self->errsv : EIO, error);
  return TRUE;
}

static void
sync_folder (const char *path)
{
  g_autofree char *dir = g_path_get_dirname (path);
  int fd = g_open (dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC, 0);

  if (fd >= 0)
    {
      fsync (fd);
      close (fd);
    }
}

gboolean
ra_output_close (RaOutput  *self,
                 GError   **error)
{
  int errsv = 0;

  g_return_val_if_fail (self != NULL, FALSE);
  g_return_val_if_fail (!self->closed, FALSE);

  self->closed = TRUE;
  if (self->stream != NULL)
    {
      if (fflush (self->stream) != 0 || ferror (self->stream))
        errsv = self->errsv ? self->errsv : EIO;
      fclose (self->stream);
      self->stream = NULL;
    }

  if (errsv == 0 && self->mode == RA_OUTPUT_REPLACE)
    {
      if (self->existed && fchmod (self->fd, self->old_mode) != 0)
        errsv = errno;
      else if (fsync (self->fd) != 0)
        errsv = errno;
    }

  if (self->own_fd && self->fd >= 0)
    {
      if (close (self->fd) != 0 && errno != EINTR && errsv == 0)
        errsv = errno;
      self->fd = -1;
    }

  if (errsv == 0 && self->mode == RA_OUTPUT_REPLACE)
    {
      if (g_rename (self->temp, self->target) != 0)
        errsv = errno;
      else
        {
          g_clear_pointer (&self->temp, g_free);
          sync_folder (self->target);
        }
    }

  if (errsv != 0)
    {
      if (self->temp != NULL)
        {
          g_unlink (self->temp);
          g_clear_pointer (&self->temp, g_free);
        }
      return set_write_error (self, errsv, error);
    }
  return TRUE;
}

void
ra_output_free (RaOutput *self)
{
  if (self == NULL)
    return;
  if (self->stream != NULL)
    {
      /* Abandoned: drop what is buffered rather than write it. */
      self->errsv = self->errsv ? self->errsv : ECANCELED;
      fclose (self->stream);
    }
  if (self->own_fd && self->fd >= 0)
    close (self->fd);
  if (self->temp != NULL)
    g_unlink (self->temp);
  g_free (self->temp);
  g_free (self->target);
  g_free (self->name);
  g_free (self);
}

gboolean
ra_output_write_file (const char          *path,
                      const char * const  *protect,
                      const void          *data,
                      gsize                length,
                      GError             **error)
{
  g_autoptr(RaOutput) output = NULL;

  if (!(output = ra_output_open (path, protect, error)))
    return FALSE;
  return ra_output_write (output, data, length, error) && ra_output_close (output, error);
}
