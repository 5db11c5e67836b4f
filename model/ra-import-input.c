/* ra-import-input.c — the bytes of an import: digest, gzip, and what the text is
 *
 * Copyright 2026 The Refusal Audit authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The file's raw bytes are hashed (SHA-256, recorded with the batch) as they
 * are read; gzip is recognised by its magic bytes and every member of it is
 * decompressed (`cat a.gz b.gz`, `gzip >>`, bgzip); a truncated member is an
 * error. Before any record is read, the start of the text is looked at, so
 * that UTF-16, binary data (or /dev/zero) and bare-CR line ends are named as
 * such instead of surfacing as odd problems in every record.
 */

#define G_LOG_DOMAIN "ra-import"

#include "config.h"

#include <string.h>
#include <zlib.h>
#include <glib/gi18n-lib.h>
#ifdef RA_HAVE_NETTLE
#include <nettle/sha2.h>
#endif

#include "ra-import-private.h"

/* ------------------------------------------------------------------------ */
/* A pass-through stream that hashes the raw bytes of the file.             */

#define RA_TYPE_HASH_STREAM (ra_hash_stream_get_type ())
G_DECLARE_FINAL_TYPE (RaHashStream, ra_hash_stream, RA, HASH_STREAM, GFilterInputStream)

struct _RaHashStream
{
  GFilterInputStream parent_instance;
#ifdef RA_HAVE_NETTLE
  /* Nettle's SHA-256 uses the CPU's SHA instructions: several times
   * GChecksum's speed, which is a large share of an import's time. */
  struct sha256_ctx sha;
#else
  GChecksum *checksum;
#endif
};

G_DEFINE_FINAL_TYPE (RaHashStream, ra_hash_stream, G_TYPE_FILTER_INPUT_STREAM)

static gssize
ra_hash_stream_read (GInputStream  *stream,
                     void          *buffer,
                     gsize          count,
                     GCancellable  *cancellable,
                     GError       **error)
{
  RaHashStream *self = RA_HASH_STREAM (stream);
  GInputStream *base = g_filter_input_stream_get_base_stream (G_FILTER_INPUT_STREAM (stream));
  gssize n;

  n = g_input_stream_read (base, buffer, count, cancellable, error);
  if (n > 0)
    {
#ifdef RA_HAVE_NETTLE
      sha256_update (&self->sha, n, buffer);
#else
      g_checksum_update (self->checksum, buffer, n);
#endif
    }
  return n;
}

static void
ra_hash_stream_finalize (GObject *object)
{
#ifndef RA_HAVE_NETTLE
  RaHashStream *self = RA_HASH_STREAM (object);

  g_clear_pointer (&self->checksum, g_checksum_free);
#endif

  G_OBJECT_CLASS (ra_hash_stream_parent_class)->finalize (object);
}

static void
ra_hash_stream_class_init (RaHashStreamClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = ra_hash_stream_finalize;
  G_INPUT_STREAM_CLASS (klass)->read_fn = ra_hash_stream_read;
}

static void
ra_hash_stream_init (RaHashStream *self)
{
#ifdef RA_HAVE_NETTLE
  sha256_init (&self->sha);
#else
  self->checksum = g_checksum_new (G_CHECKSUM_SHA256);
#endif
}

static char *
ra_hash_stream_get_hex (RaHashStream *self)
{
#ifdef RA_HAVE_NETTLE
  guint8 digest[SHA256_DIGEST_SIZE];
  char *hex = g_malloc (2 * SHA256_DIGEST_SIZE + 1);

  sha256_digest (&self->sha, sizeof digest, digest);
  for (guint i = 0; i < sizeof digest; i++)
    g_snprintf (hex + 2 * i, 3, "%02x", digest[i]);
  return hex;
#else
  return g_strdup (g_checksum_get_string (self->checksum));
#endif
}

/* ------------------------------------------------------------------------ */
/* gzip, every member of it                                                 */

#define RA_TYPE_GUNZIP_STREAM (ra_gunzip_stream_get_type ())
G_DECLARE_FINAL_TYPE (RaGunzipStream, ra_gunzip_stream, RA, GUNZIP_STREAM, GFilterInputStream)

#define GUNZIP_IN_SIZE (64 * 1024)

struct _RaGunzipStream
{
  GFilterInputStream parent_instance;
  z_stream  z;
  gboolean  z_ready;
  guint8   *in;
  gboolean  base_eof;
  gboolean  between;   /* a member ended; another or the end follows */
};

G_DEFINE_FINAL_TYPE (RaGunzipStream, ra_gunzip_stream, G_TYPE_FILTER_INPUT_STREAM)

static gboolean
gunzip_fill (RaGunzipStream  *self,
             GCancellable    *cancellable,
             GError         **error)
{
  GInputStream *base = g_filter_input_stream_get_base_stream (G_FILTER_INPUT_STREAM (self));
  gssize n;

  if (self->z.avail_in > 0 || self->base_eof)
    return TRUE;
  n = g_input_stream_read (base, self->in, GUNZIP_IN_SIZE, cancellable, error);
  if (n < 0)
    return FALSE;
  if (n == 0)
    self->base_eof = TRUE;
  self->z.next_in = self->in;
  self->z.avail_in = n;
  return TRUE;
}

static gssize
ra_gunzip_stream_read (GInputStream  *stream,
                       void          *buffer,
                       gsize          count,
                       GCancellable  *cancellable,
                       GError       **error)
{
  RaGunzipStream *self = RA_GUNZIP_STREAM (stream);

  if (count == 0)
    return 0;
  count = MIN (count, G_MAXUINT32);

  for (;;)
    {
      int rc;
      gsize produced;

      if (!gunzip_fill (self, cancellable, error))
        return -1;

      if (self->between)
        {
          /* Trailing NUL bytes (padding) end the data; another gzip
           * member continues it; anything else is an error. */
          while (self->z.avail_in > 0 && *self->z.next_in == 0)
            {
              self->z.next_in++;
              self->z.avail_in--;
            }
          if (self->z.avail_in == 0)
            {
              if (self->base_eof)
                return 0;
              continue;
            }
          if (*self->z.next_in != 0x1f)
            {
              g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA,
                           _("bytes that are not gzip data follow the compressed data"));
              return -1;
            }
          inflateReset (&self->z);
          self->between = FALSE;
        }

      if (self->z.avail_in == 0 && self->base_eof)
        {
          g_set_error (error, G_IO_ERROR, G_IO_ERROR_PARTIAL_INPUT,
                       _("the gzip data ends early: the file is truncated"));
          return -1;
        }

      self->z.next_out = buffer;
      self->z.avail_out = count;
      rc = inflate (&self->z, Z_NO_FLUSH);
      produced = count - self->z.avail_out;

      if (rc == Z_STREAM_END)
        self->between = TRUE;
      else if (rc == Z_BUF_ERROR && self->z.avail_in == 0)
        ;   /* needs more input */
      else if (rc != Z_OK)
        {
          g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA,
                       _("the gzip data is corrupt (%s)"),
                       self->z.msg != NULL ? self->z.msg : "inflate failed");
          return -1;
        }

      if (produced > 0)
        return produced;
    }
}

static void
ra_gunzip_stream_finalize (GObject *object)
{
  RaGunzipStream *self = RA_GUNZIP_STREAM (object);

  if (self->z_ready)
    inflateEnd (&self->z);
  g_free (self->in);

  G_OBJECT_CLASS (ra_gunzip_stream_parent_class)->finalize (object);
}

static void
ra_gunzip_stream_class_init (RaGunzipStreamClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = ra_gunzip_stream_finalize;
  G_INPUT_STREAM_CLASS (klass)->read_fn = ra_gunzip_stream_read;
}

static void
ra_gunzip_stream_init (RaGunzipStream *self)
{
  self->in = g_malloc (GUNZIP_IN_SIZE);
  /* 15 + 16: a gzip header and trailer, checked. */
  self->z_ready = inflateInit2 (&self->z, 15 + 16) == Z_OK;
}

/* ------------------------------------------------------------------------ */
/* What the text is                                                         */

#define SNIFF_BYTES (64 * 1024)

/**
 * ra_import_sniff_container:
 * @p: the first bytes of a file
 * @n: how many
 *
 * Returns: (nullable): what compressed data, archive or database the bytes
 * start, with what to do about it, or %NULL when they start none of them
 */
const char *
ra_import_sniff_container (const guint8 *p,
                           gsize         n)
{
  if (n >= 2 && p[0] == 0x1f && p[1] == 0x8b)
    return _("gzip-compressed data (compressed twice, or gzip where plain text is read): "
             "decompress it first");
  if (n >= 6 && memcmp (p, "\xFD" "7zXZ\0", 6) == 0)
    return _("xz-compressed data: decompress it first");
  if (n >= 10 && memcmp (p, "BZh", 3) == 0 && p[3] >= '1' && p[3] <= '9' &&
      (memcmp (p + 4, "\x31\x41\x59\x26\x53\x59", 6) == 0 || memcmp (p + 4, "\x17\x72\x45\x38\x50\x90", 6) == 0))
    return _("bzip2-compressed data: decompress it first");
  if (n >= 4 && memcmp (p, "\x28\xB5\x2F\xFD", 4) == 0)
    return _("zstd-compressed data: decompress it first");
  if (n >= 4 && (memcmp (p, "PK\x03\x04", 4) == 0 || memcmp (p, "PK\x05\x06", 4) == 0))
    return _("a ZIP archive: extract the file first");
  if (n >= 6 && memcmp (p, "7z\xBC\xAF\x27\x1C", 6) == 0)
    return _("a 7-Zip archive: extract the file first");
  if (n >= 16 && memcmp (p, "SQLite format 3", 16) == 0)
    return _("an SQLite database (such as a store): give the file its data was exported to");
  if (n >= 8 && memcmp (p, "PAR1", 4) == 0 && memchr (p + 4, 0, MIN (n, 64) - 4) != NULL)
    return _("a Parquet file: export it as CSV or JSON Lines");
  return NULL;
}

/**
 * ra_import_sniff_text:
 * @p: the first bytes of a text file (up to 64 KiB)
 * @n: how many
 * @at_eof: whether they are the whole file
 *
 * Looks at the start of a text the program is to read (an import, a label
 * file): UTF-16/32, binary data (such as /dev/zero) and bare-CR line ends
 * are named as such instead of surfacing as odd problems in every record.
 *
 * Returns: (transfer full) (nullable): what is wrong, or %NULL
 */
char *
ra_import_sniff_json_shape (const guint8 *p,
                            gsize         n)
{
  gsize i = 0, j;

  if (n >= 3 && memcmp (p, "\xEF\xBB\xBF", 3) == 0)
    i = 3;
  while (i < n && g_ascii_isspace (p[i]))
    i++;
  for (j = i + 1; j < n && g_ascii_isspace (p[j]); j++)
    ;
  /* An array of objects ("[{" or "[" alone on its line); a line such as
   * [1,2,3] is left to the line's own message. */
  if (i < n && p[i] == '[' && (j >= n || p[j] == '{'))
    return g_strdup (_("the file is one JSON array, not JSON Lines (one object per line); convert it "
                       "first, e.g. jq -c '.[]' FILE > FILE.jsonl"));
  for (j = i + 1; i < n && p[i] == '{' && j < n && p[j] != '\n' && g_ascii_isspace (p[j]); j++)
    ;
  if (i < n && p[i] == '{' && j < n && p[j] == '\n')
    return g_strdup (_("the first JSON object spans several lines (pretty-printed JSON), but JSON Lines "
                       "hold one object per line; convert it first, e.g. jq -c . FILE > FILE.jsonl"));
  return NULL;
}

char *
ra_import_sniff_text (const guint8 *p,
                      gsize         n,
                      gboolean      at_eof)
{
  gsize nul_even = 0, nul_odd = 0, nul = 0, lf = 0, bare_cr = 0;
  gsize look = MIN (n, 4096);
  const char *container;

  /* Compressed data and archives are named by their magic bytes: a file
   * compressed twice, an .xz/.bz2/.zst/.zip export or a store given as
   * input is otherwise "a NUL byte in the header" or "binary data". */
  if ((container = ra_import_sniff_container (p, n)) != NULL)
    return g_strdup_printf (_("this is not JSON Lines or CSV text but %s"), container);

  if (n >= 4 && (memcmp (p, "\xFF\xFE\0\0", 4) == 0 || memcmp (p, "\0\0\xFE\xFF", 4) == 0))
    return g_strdup (_("the file is UTF-32 text (it starts with a UTF-32 byte order mark); "
                       "save it as UTF-8"));
  if (n >= 2 && (memcmp (p, "\xFF\xFE", 2) == 0 || memcmp (p, "\xFE\xFF", 2) == 0))
    return g_strdup_printf (_("the file is UTF-16%s text (it starts with a UTF-16 byte order mark); "
                              "save it as UTF-8"), p[0] == 0xFF ? "LE" : "BE");

  for (gsize i = 0; i < look; i++)
    if (p[i] == 0)
      {
        nul++;
        if (i % 2)
          nul_odd++;
        else
          nul_even++;
      }
  /* ASCII text in UTF-16 has a NUL in every other byte. */
  if (look >= 4 && nul_odd * 4 >= look && nul_even * 8 < look)
    return g_strdup (_("the file looks like UTF-16LE text (a NUL byte after every character); "
                       "save it as UTF-8"));
  if (look >= 4 && nul_even * 4 >= look && nul_odd * 8 < look)
    return g_strdup (_("the file looks like UTF-16BE text (a NUL byte before every character); "
                       "save it as UTF-8"));
  if (look > 0 && (p[0] == 0 || nul * 4 >= look))
    return g_strdup (_("the input is binary data, not text (it starts with NUL bytes)"));

  for (gsize i = 0; i < n; i++)
    {
      if (p[i] == '\n')
        lf++;
      else if (p[i] == '\r' && (i + 1 >= n || p[i + 1] != '\n'))
        bare_cr++;
    }
  /* Lines that end with CR alone (classic Mac OS): one endless line here. */
  if (lf == 0 && bare_cr > 0 && (bare_cr > 1 || at_eof || n >= SNIFF_BYTES))
    return g_strdup (_("the lines end with a bare carriage return (CR) instead of LF or CRLF; "
                       "convert the line ends"));
  return NULL;
}

/* Fills BUFFERED with up to SNIFF_BYTES. */
static gboolean
fill_sniff (GBufferedInputStream  *buffered,
            gboolean              *at_eof,
            GCancellable          *cancellable,
            GError               **error)
{
  *at_eof = FALSE;
  while (g_buffered_input_stream_get_available (buffered) < SNIFF_BYTES)
    {
      gssize n = g_buffered_input_stream_fill (buffered,
                                               SNIFF_BYTES - g_buffered_input_stream_get_available (buffered),
                                               cancellable, error);
      if (n < 0)
        return FALSE;
      if (n == 0)
        {
          *at_eof = TRUE;
          break;
        }
    }
  return TRUE;
}

void
ra_import_input_clear (RaImportInput *in)
{
  g_clear_object (&in->text);
  g_clear_object (&in->raw);
  g_clear_object (&in->hashed);
}

gboolean
ra_import_input_open (RaImportInput  *in,
                      GInputStream   *stream,
                      const char     *display_name,
                      RaFormat       *format,
                      GCancellable   *cancellable,
                      GError        **error)
{
  g_autoptr(GError) local_error = NULL;
  g_autofree char *problem = NULL;
  gboolean at_eof;
  gsize avail = 0;
  const guint8 *peek;

  memset (in, 0, sizeof *in);
  in->hashed = g_object_new (RA_TYPE_HASH_STREAM, "base-stream", stream, "close-base-stream", FALSE, NULL);
  in->raw = g_buffered_input_stream_new_sized (in->hashed, SNIFF_BYTES);

  /* gzip is recognised by its magic bytes, whatever the file is called. */
  if (g_buffered_input_stream_fill (G_BUFFERED_INPUT_STREAM (in->raw), 2, cancellable, &local_error) < 0)
    goto read_error;
  peek = g_buffered_input_stream_peek_buffer (G_BUFFERED_INPUT_STREAM (in->raw), &avail);
  in->gzip = avail >= 2 && peek[0] == 0x1f && peek[1] == 0x8b;
  if (in->gzip)
    {
      g_autoptr(GInputStream) gunzip = g_object_new (RA_TYPE_GUNZIP_STREAM, "base-stream", in->raw,
                                                     "close-base-stream", FALSE, NULL);
      in->text = g_buffered_input_stream_new_sized (gunzip, SNIFF_BYTES);
    }
  else
    in->text = g_object_ref (in->raw);

  if (!fill_sniff (G_BUFFERED_INPUT_STREAM (in->text), &at_eof, cancellable, &local_error))
    goto read_error;
  peek = g_buffered_input_stream_peek_buffer (G_BUFFERED_INPUT_STREAM (in->text), &avail);

  if ((problem = ra_import_sniff_text (peek, avail, at_eof)) != NULL)
    {
      g_set_error (error, RA_IMPORT_ERROR, RA_IMPORT_ERROR_FORMAT, "%s: %s", display_name, problem);
      ra_import_input_clear (in);
      return FALSE;
    }

  if (*format != RA_FORMAT_CSV)
    {
      gsize i = 0;

      if (avail >= 3 && memcmp (peek, "\xEF\xBB\xBF", 3) == 0)
        i = 3;
      while (i < avail && g_ascii_isspace (peek[i]))
        i++;
      /* A .json export (one array, or objects over several lines) gave an
       * error on every line ("not valid JSON", "text after the JSON
       * object"), or was read as CSV: say what the file is. */
      if ((problem = ra_import_sniff_json_shape (peek, avail)) != NULL)
        {
          g_set_error (error, RA_IMPORT_ERROR, RA_IMPORT_ERROR_FORMAT, "%s: %s", display_name, problem);
          ra_import_input_clear (in);
          return FALSE;
        }
      /* Neither the option nor the name tell: JSON Lines start with '{'. */
      if (*format == RA_FORMAT_AUTO)
        *format = i < avail && peek[i] == '{' ? RA_FORMAT_JSONL : RA_FORMAT_CSV;
    }
  return TRUE;

read_error:
  g_set_error (error, RA_IMPORT_ERROR, RA_IMPORT_ERROR_READ,
               _("%s: cannot read%s: %s"), display_name, in->gzip ? " (gzip)" : "", local_error->message);
  ra_import_input_clear (in);
  return FALSE;
}

char *
ra_import_input_finish (RaImportInput  *in,
                        GCancellable   *cancellable)
{
  char sink[16 * 1024];

  /* Read what the reader left (it stops at the last record), so that the
   * digest covers the whole file. */
  while (g_input_stream_read (in->hashed, sink, sizeof sink, cancellable, NULL) > 0)
    ;
  return ra_hash_stream_get_hex (RA_HASH_STREAM (in->hashed));
}
