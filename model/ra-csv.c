/* ra-csv.c
 *
 * Copyright 2026 The Refusal Audit authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "ra-csv"

#include "config.h"

#include <string.h>
#include <glib/gi18n-lib.h>

#include "ra-csv.h"

#define CHUNK_SIZE (64 * 1024)

/* A record over the size limit is skipped to its end, but for at most
 * four times the limit (and 256 MiB): past that the input has no record
 * ends (binary data, /dev/zero, an endless pipe) and would be read for ever. */
#define MAX_SKIP(self) MAX (4 * (guint64) (self)->max_record, (guint64) 256 * 1024 * 1024)

typedef enum
{
  CSV_FIELD_START,
  CSV_UNQUOTED,
  CSV_QUOTED,
  CSV_QUOTE_IN_QUOTED,
  CSV_BAD,
} CsvState;

struct _RaReader
{
  GInputStream *stream;
  gsize         max_record;

  char         *buf;
  gsize         cap;
  gsize         len;        /* valid bytes in buf */
  gsize         pos;        /* next byte to look at */
  gboolean      eof;
  gboolean      started;    /* the BOM check has been done */
  guint64       bytes_read;
  guint64       lineno;     /* lines completed so far */

  /* CSV record under construction */
  GString      *record;
  GArray       *starts;     /* gsize: offset of each field in record */
  GArray       *lengths;    /* gsize */
  gboolean      allow_nul;  /* the caller looks for NUL bytes itself */
};

RaReader *
ra_reader_new (GInputStream *stream,
               gsize         max_record)
{
  RaReader *self;

  g_return_val_if_fail (G_IS_INPUT_STREAM (stream), NULL);
  g_return_val_if_fail (max_record > 0, NULL);

  self = g_new0 (RaReader, 1);
  self->stream = g_object_ref (stream);
  self->max_record = max_record;
  self->cap = CHUNK_SIZE * 2;
  self->buf = g_malloc (self->cap + 1);
  self->record = g_string_sized_new (4096);
  self->starts = g_array_new (FALSE, FALSE, sizeof (gsize));
  self->lengths = g_array_new (FALSE, FALSE, sizeof (gsize));

  return self;
}

void
ra_reader_free (RaReader *self)
{
  if (self == NULL)
    return;

  g_clear_object (&self->stream);
  g_free (self->buf);
  g_string_free (self->record, TRUE);
  g_array_unref (self->starts);
  g_array_unref (self->lengths);
  g_free (self);
}

guint64
ra_reader_get_bytes_read (RaReader *self)
{
  return self->bytes_read;
}

/* Reads one more chunk into the buffer, first dropping what was consumed.
 * Returns FALSE on a stream error. Sets eof at the end of the stream. */
static gboolean
fill (RaReader      *self,
      GCancellable  *cancellable,
      GError       **error)
{
  gssize n;

  if (self->pos > 0)
    {
      memmove (self->buf, self->buf + self->pos, self->len - self->pos);
      self->len -= self->pos;
      self->pos = 0;
    }

  if (self->cap - self->len < CHUNK_SIZE)
    {
      self->cap = MAX (self->cap * 2, self->len + CHUNK_SIZE);
      self->buf = g_realloc (self->buf, self->cap + 1);
    }

  n = g_input_stream_read (self->stream, self->buf + self->len, CHUNK_SIZE, cancellable, error);
  if (n < 0)
    return FALSE;
  if (n == 0)
    self->eof = TRUE;

  self->len += n;
  self->bytes_read += n;
  self->buf[self->len] = '\0';

  if (!self->started && (self->len >= 3 || self->eof))
    {
      self->started = TRUE;
      if (self->len >= 3 && memcmp (self->buf, "\xEF\xBB\xBF", 3) == 0)
        self->pos = 3;
    }

  return TRUE;
}

static gboolean
is_blank (const char *s,
          gsize       len)
{
  for (gsize i = 0; i < len; i++)
    if (s[i] != ' ' && s[i] != '\t' && s[i] != '\r')
      return FALSE;
  return TRUE;
}

RaReadStatus
ra_reader_next_line (RaReader      *self,
                     const char   **line,
                     gsize         *length,
                     guint64       *lineno,
                     char         **problem,
                     GCancellable  *cancellable,
                     GError       **error)
{
  gboolean skipping = FALSE;
  guint64 skip_start = 0;
  guint64 skipped = 0;
  gsize scanned = 0;

  for (;;)
    {
      char *start = self->buf + self->pos;
      gsize avail = self->len - self->pos;
      char *nl = avail > scanned ? memchr (start + scanned, '\n', avail - scanned) : NULL;

      if (nl != NULL || (self->eof && avail > 0))
        {
          gsize n = nl ? (gsize) (nl - start) : avail;

          self->pos += nl ? n + 1 : n;
          self->lineno++;
          scanned = 0;

          if (skipping)
            {
              *lineno = skip_start;
              *problem = g_strdup_printf (_("the line is longer than %" G_GSIZE_FORMAT " bytes"), self->max_record);
              return RA_READ_BAD_RECORD;
            }

          if (n > 0 && start[n - 1] == '\r')
            n--;
          start[n] = '\0';

          if (is_blank (start, n))
            continue;

          if (n > self->max_record)
            {
              *lineno = self->lineno;
              *problem = g_strdup_printf (_("the line is longer than %" G_GSIZE_FORMAT " bytes"), self->max_record);
              return RA_READ_BAD_RECORD;
            }

          *line = start;
          *length = n;
          *lineno = self->lineno;
          return RA_READ_RECORD;
        }

      if (self->eof)
        {
          if (skipping)
            {
              *lineno = skip_start;
              *problem = g_strdup_printf (_("the line is longer than %" G_GSIZE_FORMAT " bytes"), self->max_record);
              return RA_READ_BAD_RECORD;
            }
          return RA_READ_EOF;
        }

      /* No line end in sight: drop an over-long line instead of buffering it. */
      if (avail > self->max_record)
        {
          if (!skipping)
            skip_start = self->lineno + 1;
          skipping = TRUE;
          skipped += avail;
          self->pos = self->len;
          avail = 0;
          /* An input with no line ends at all (binary data, /dev/zero, an
           * endless pipe) would be read for ever: give up on it. */
          if (skipped > MAX_SKIP (self))
            {
              g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA,
                           _("line %" G_GUINT64_FORMAT " has no line end in its first %" G_GUINT64_FORMAT
                           " bytes: this is not text with line ends"), skip_start, skipped);
              return RA_READ_ERROR;
            }
        }

      scanned = avail;
      if (!fill (self, cancellable, error))
        return RA_READ_ERROR;
      /* A BOM skipped by fill () moves pos; rescan from there. */
      if (self->pos > 0 && self->len - self->pos < scanned)
        scanned = 0;
    }
}

static void
end_field (RaReader *self,
           gsize     start)
{
  gsize len = self->record->len - start;

  g_array_append_val (self->starts, start);
  g_array_append_val (self->lengths, len);
  g_string_append_c (self->record, '\0');
}

RaReadStatus
ra_reader_next_csv (RaReader      *self,
                    guint64       *lineno,
                    char         **problem,
                    GCancellable  *cancellable,
                    GError       **error)
{
  CsvState state = CSV_FIELD_START;
  gsize field_start = 0;
  guint64 start_line = self->lineno + 1;
  gboolean any = FALSE;
  const char *bad = NULL;
  guint64 bad_line = 0;
  guint64 skipped = 0;

  g_string_truncate (self->record, 0);
  g_array_set_size (self->starts, 0);
  g_array_set_size (self->lengths, 0);

  for (;;)
    {
      if (self->pos >= self->len)
        {
          if (self->eof || (!fill (self, cancellable, error)))
            {
              if (!self->eof)
                return RA_READ_ERROR;
              break;
            }
          if (self->pos >= self->len && self->eof)
            break;
          continue;
        }

      while (self->pos < self->len)
        {
          char c = self->buf[self->pos++];

          if (c == '\n')
            self->lineno++;

          if (bad != NULL && ++skipped > MAX_SKIP (self))
            {
              g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA,
                           _("the record starting on line %" G_GUINT64_FORMAT " has no end in its first %"
                           G_GUINT64_FORMAT " bytes: this is not CSV text"), start_line, skipped);
              return RA_READ_ERROR;
            }

          if (state != CSV_BAD && self->record->len > self->max_record)
            {
              bad = "the record is longer than the size limit";
              bad_line = start_line;
              state = state == CSV_QUOTED ? CSV_QUOTED : CSV_BAD;
              /* Keep following quotes to find the record's end, but stop
               * buffering: truncate what we have. */
              g_string_truncate (self->record, 0);
            }

          switch (state)
            {
            case CSV_FIELD_START:
              if (c == '"')
                {
                  any = TRUE;
                  field_start = self->record->len;
                  state = CSV_QUOTED;
                }
              else if (c == ',')
                {
                  any = TRUE;
                  end_field (self, self->record->len);
                }
              else if (c == '\n')
                {
                  if (!any)
                    {
                      start_line = self->lineno + 1;
                      continue;
                    }
                  end_field (self, self->record->len);
                  goto record_done;
                }
              else if (c == '\r')
                ;
              else
                {
                  any = TRUE;
                  field_start = self->record->len;
                  g_string_append_c (self->record, c);
                  state = CSV_UNQUOTED;
                }
              break;

            case CSV_UNQUOTED:
              if (c == ',')
                {
                  end_field (self, field_start);
                  state = CSV_FIELD_START;
                }
              else if (c == '\n')
                {
                  end_field (self, field_start);
                  goto record_done;
                }
              else if (c != '\r')
                g_string_append_c (self->record, c);
              break;

            case CSV_QUOTED:
              if (c == '"')
                state = CSV_QUOTE_IN_QUOTED;
              else if (bad == NULL)
                g_string_append_c (self->record, c);
              break;

            case CSV_QUOTE_IN_QUOTED:
              if (c == '"')
                {
                  if (bad == NULL)
                    g_string_append_c (self->record, '"');
                  state = CSV_QUOTED;
                }
              else if (c == ',')
                {
                  if (bad == NULL)
                    end_field (self, field_start);
                  state = bad ? CSV_BAD : CSV_FIELD_START;
                }
              else if (c == '\n')
                {
                  if (bad != NULL)
                    goto record_done;
                  end_field (self, field_start);
                  goto record_done;
                }
              else if (c == '\r')
                ;
              else
                {
                  bad = "a character follows the closing quote of a quoted field (a quote inside a quoted field must be doubled)";
                  bad_line = self->lineno + 1;
                  state = CSV_BAD;
                }
              break;

            case CSV_BAD:
              /* Skip to the end of the record, still honouring quotes so
               * that a quoted line end does not end it. */
              if (c == '"')
                state = CSV_QUOTED;
              else if (c == '\n')
                goto record_done;
              break;

            default:
              g_assert_not_reached ();
            }
        }
    }

  /* End of stream. */
  if (state == CSV_QUOTED)
    {
      *lineno = start_line;
      *problem = g_strdup_printf (_("a quoted field starting on line %" G_GUINT64_FORMAT
                                  " is never closed (missing closing quote)"), start_line);
      return RA_READ_BAD_RECORD;
    }
  if (!any && bad == NULL)
    return RA_READ_EOF;
  if (bad == NULL)
    {
      if (state == CSV_UNQUOTED || state == CSV_QUOTE_IN_QUOTED)
        end_field (self, field_start);
      else if (state == CSV_FIELD_START)
        end_field (self, self->record->len);
    }
  /* The last line had no line end: count it. */
  self->lineno++;

record_done:
  *lineno = start_line;
  /* A field is read as a C string by most callers: a NUL byte in it cut
   * it short without a word ("c1\0zz" became the turn "c1"). */
  if (bad == NULL && !self->allow_nul && memchr (self->record->str, '\0', self->record->len) != NULL)
    {
      for (guint i = 0; i < self->starts->len; i++)
        if (memchr (self->record->str + g_array_index (self->starts, gsize, i), '\0',
                    g_array_index (self->lengths, gsize, i)) != NULL)
          {
            *problem = g_strdup_printf (_("field %u holds a NUL byte"), i + 1);
            return RA_READ_BAD_RECORD;
          }
    }
  if (bad != NULL)
    {
      if (bad_line > start_line)
        *problem = g_strdup_printf ("line %" G_GUINT64_FORMAT ": %s", bad_line, bad);
      else
        *problem = g_strdup (bad);
      return RA_READ_BAD_RECORD;
    }
  return RA_READ_RECORD;
}

void
ra_reader_set_allow_nul (RaReader *self,
                         gboolean  allow)
{
  g_return_if_fail (self != NULL);
  self->allow_nul = allow;
}

guint
ra_reader_get_n_fields (RaReader *self)
{
  return self->starts->len;
}

const char *
ra_reader_get_field (RaReader *self,
                     guint     index,
                     gsize    *length)
{
  g_return_val_if_fail (index < self->starts->len, NULL);

  if (length)
    *length = g_array_index (self->lengths, gsize, index);
  return self->record->str + g_array_index (self->starts, gsize, index);
}
