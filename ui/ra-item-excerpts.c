/* ra-item-excerpts.c — a line of each item's text for lists of items
 *
 * Copyright 2026 The Refusal Audit authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <glib/gi18n.h>
#include <string.h>

#include "ra-item-excerpts.h"

/* TEXT with runs of white space as one space, cut near MAX_CHARS. */
static char *
squeeze (const char *text,
         guint       max_chars)
{
  GString *out = g_string_new (NULL);
  gboolean space = FALSE;
  guint n = 0;

  for (const char *p = text ? text : ""; *p != '\0'; p = g_utf8_next_char (p))
    {
      gunichar c = g_utf8_get_char (p);

      if (g_unichar_isspace (c))
        {
          space = out->len > 0;
          continue;
        }
      if (n >= max_chars)
        {
          /* Back to the last word boundary when there is one nearby. */
          const char *cut = strrchr (out->str, ' ');

          if (cut != NULL && (gsize) (cut - out->str) > out->len / 2)
            g_string_truncate (out, cut - out->str);
          g_string_append (out, "…");
          return g_string_free (out, FALSE);
        }
      if (space)
        {
          g_string_append_c (out, ' ');
          n++;
          space = FALSE;
        }
      g_string_append_unichar (out, c);
      n++;
    }
  return g_string_free (out, FALSE);
}

char *
ra_item_excerpt (const RaItemContent *content,
                 guint                max_chars)
{
  g_autofree char *context = ra_item_content_format_context (content);
  const char *prompt = context;
  g_autofree char *p = NULL;
  g_autofree char *r = NULL;

  /* The context is "role: content" blocks separated by blank lines: the
   * last user block is what the response answers. */
  if (content->prompt == NULL || content->prompt[0] == '\0')
    {
      const char *last = NULL;

      for (const char *at = context; at != NULL && (at = strstr (at, "user: ")) != NULL; at++)
        if (at == context || (at >= context + 2 && at[-1] == '\n' && at[-2] == '\n'))
          last = at;
      if (last != NULL)
        prompt = last + strlen ("user: ");
    }

  p = squeeze (prompt, max_chars);
  r = squeeze (content->response, max_chars);
  return g_strdup_printf (_("Prompt: %s\nResponse: %s"), p, r);
}

typedef struct
{
  gint64  audit_id;
  GArray *turn_ids;
} Request;

static void
request_free (gpointer data)
{
  Request *request = data;

  g_array_unref (request->turn_ids);
  g_free (request);
}

static gpointer
excerpts_work (RaStore       *store,
               gpointer       data,
               GCancellable  *cancellable,
               GError       **error)
{
  Request *request = data;
  GHashTable *excerpts = g_hash_table_new_full (g_int64_hash, g_int64_equal, g_free, g_free);

  for (guint i = 0; i < request->turn_ids->len; i++)
    {
      gint64 turn = g_array_index (request->turn_ids, gint64, i);
      g_autoptr(GError) local = NULL;
      RaItemContent *content;

      if (g_cancellable_set_error_if_cancelled (cancellable, error))
        {
          g_hash_table_unref (excerpts);
          return NULL;
        }
      content = ra_labels_get_content (store, request->audit_id, turn, &local);
      /* One unreadable item says so in its row; the others still show. */
      g_hash_table_insert (excerpts, g_memdup2 (&turn, sizeof turn),
                           content != NULL ? ra_item_excerpt (content, 140)
                                           : g_strdup_printf (_("Text not available: %s"), local->message));
      g_clear_pointer (&content, ra_item_content_free);
    }
  return excerpts;
}

void
ra_item_excerpts_async (RaDatabase          *database,
                        gint64               audit_id,
                        GArray              *turn_ids,
                        GCancellable        *cancellable,
                        GAsyncReadyCallback  callback,
                        gpointer             user_data)
{
  Request *request = g_new0 (Request, 1);

  request->audit_id = audit_id;
  request->turn_ids = g_array_ref (turn_ids);
  ra_database_run_async (database, excerpts_work, request, request_free,
                         (GDestroyNotify) g_hash_table_unref, cancellable, callback, user_data);
}

GHashTable *
ra_item_excerpts_finish (RaDatabase    *database,
                         GAsyncResult  *result,
                         GError       **error)
{
  return ra_database_run_finish (database, result, error);
}
