/* ra-team.c — overlap, assignment and gold items of an audit
 *
 * Copyright 2026 The Refusal Audit authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "ra-team"

#include "config.h"

#include <glib/gi18n-lib.h>
#include <math.h>
#include <string.h>

#include "ra-json.h"
#include "ra-csv.h"
#include "ra-file-read.h"
#include "ra-import.h"
#include "ra-labels-private.h"
#include "ra-team.h"
#include "ra-store-private.h"

#define MAX_PER_ITEM 100
#define MAX_GOLD_PROBLEMS 20
/* Far more than a gold file needs (a line per item). */
#define GOLD_MAX_BYTES (256 * 1024 * 1024)

void
ra_team_design_free (RaTeamDesign *design)
{
  if (design == NULL)
    return;
  g_strfreev (design->reviewers);
  g_free (design);
}

RaTeamDesign *
ra_team_get (RaStore  *store,
             gint64    audit_id,
             GError  **error)
{
  g_autoptr(sqlite3_stmt) stmt = NULL;
  g_autoptr(RaTeamDesign) design = g_new0 (RaTeamDesign, 1);
  int rc;

  g_return_val_if_fail (store != NULL, NULL);

  design->overlap = 0;
  design->reviewers_per_item = 1;
  if (!(stmt = ra_store_prepare (store,
                                 "SELECT overlap, reviewers_per_item, reviewers FROM audit_team"
                                 " WHERE audit_id = ?1", error)))
    return NULL;
  sqlite3_bind_int64 (stmt, 1, audit_id);
  rc = sqlite3_step (stmt);
  if (rc == SQLITE_ROW)
    {
      const char *list = ra_column_text (stmt, 2);

      design->overlap = sqlite3_column_double (stmt, 0);
      design->reviewers_per_item = (guint) CLAMP (sqlite3_column_int (stmt, 1), 1, MAX_PER_ITEM);
      if (list != NULL && *list != '\0')
        design->reviewers = g_strsplit (list, "\n", -1);
    }
  else if (rc != SQLITE_DONE)
    {
      ra_store_set_error (store, rc, _("cannot read the audit's team design"), error);
      return NULL;
    }
  return g_steal_pointer (&design);
}

static gboolean
audit_exists (RaStore  *store,
              gint64    audit_id,
              GError  **error)
{
  g_autoptr(sqlite3_stmt) stmt = NULL;
  int rc;

  if (!(stmt = ra_store_prepare (store, "SELECT 1 FROM audits WHERE id = ?1", error)))
    return FALSE;
  sqlite3_bind_int64 (stmt, 1, audit_id);
  rc = sqlite3_step (stmt);
  if (rc == SQLITE_ROW)
    return TRUE;
  if (rc == SQLITE_DONE)
    g_set_error (error, RA_STORE_ERROR, RA_STORE_ERROR_NOT_FOUND,
                 _("there is no audit with id %" G_GINT64_FORMAT), audit_id);
  else
    ra_store_set_error (store, rc, _("cannot read the audits"), error);
  return FALSE;
}

static gboolean
write_design (RaStore             *store,
              gint64               audit_id,
              const RaTeamDesign  *design,
              GError             **error)
{
  g_autoptr(sqlite3_stmt) stmt = NULL;
  g_autofree char *list = design->reviewers ? g_strjoinv ("\n", design->reviewers) : NULL;

  if (!(stmt = ra_store_prepare (store,
                                 "INSERT OR REPLACE INTO audit_team (audit_id, overlap, reviewers_per_item,"
                                 " reviewers) VALUES (?1, ?2, ?3, ?4)", error)))
    return FALSE;
  sqlite3_bind_int64 (stmt, 1, audit_id);
  sqlite3_bind_double (stmt, 2, design->overlap);
  sqlite3_bind_int (stmt, 3, (int) design->reviewers_per_item);
  ra_bind_text (stmt, 4, list);
  return ra_store_step_done (store, stmt, _("cannot store the audit's team design"), error);
}

static gboolean
update_design (RaStore             *store,
               gint64               audit_id,
               double               overlap,
               guint                per_item,
               const char * const  *reviewers,
               GError             **error)
{
  g_autoptr(RaTeamDesign) design = NULL;

  if (!ra_store_begin (store, error))
    return FALSE;
  if (!audit_exists (store, audit_id, error) ||
      !(design = ra_team_get (store, audit_id, error)))
    goto fail;
  if (!isnan (overlap))
    design->overlap = overlap;
  if (per_item > 0)
    design->reviewers_per_item = per_item;
  if (reviewers != NULL)
    {
      g_strfreev (design->reviewers);
      design->reviewers = g_strdupv ((char **) reviewers);
    }
  if (!write_design (store, audit_id, design, error) ||
      !ra_store_commit (store, error))
    goto fail;
  return TRUE;

fail:
  ra_store_rollback (store);
  return FALSE;
}

gboolean
ra_team_set (RaStore  *store,
             gint64    audit_id,
             double    overlap,
             guint     reviewers_per_item,
             GError  **error)
{
  g_return_val_if_fail (store != NULL, FALSE);

  if (!isnan (overlap) && !(overlap >= 0 && overlap <= 1))
    {
      g_set_error (error, RA_STORE_ERROR, RA_STORE_ERROR_INVALID,
                   _("the overlap %g is not a share between 0 and 1"), overlap);
      return FALSE;
    }
  if (reviewers_per_item > MAX_PER_ITEM)
    {
      g_set_error (error, RA_STORE_ERROR, RA_STORE_ERROR_INVALID,
                   _("%u reviewers per item is more than the %u an audit can ask for"),
                   reviewers_per_item, MAX_PER_ITEM);
      return FALSE;
    }
  return update_design (store, audit_id, overlap, reviewers_per_item, NULL, error);
}

gboolean
ra_team_assign (RaStore             *store,
                gint64               audit_id,
                const char * const  *reviewers,
                GError             **error)
{
  g_autoptr(GHashTable) seen = g_hash_table_new (g_str_hash, g_str_equal);
  guint n = 0;

  g_return_val_if_fail (store != NULL, FALSE);

  for (; reviewers != NULL && reviewers[n] != NULL; n++)
    {
      g_autoptr(GError) local = NULL;

      if (!ra_labels_check_reviewer (reviewers[n], &local))
        {
          g_set_error (error, RA_LABELS_ERROR, RA_LABELS_ERROR_INVALID,
                       _("reviewer %u of the assignment: %s"), n + 1, local->message);
          return FALSE;
        }
      if (!g_hash_table_add (seen, (gpointer) reviewers[n]))
        {
          g_set_error (error, RA_LABELS_ERROR, RA_LABELS_ERROR_INVALID,
                       _("the assignment names reviewer '%s' twice"), reviewers[n]);
          return FALSE;
        }
    }
  if (n == 0)
    {
      g_set_error (error, RA_LABELS_ERROR, RA_LABELS_ERROR_INVALID,
                   _("an assignment needs at least one reviewer"));
      return FALSE;
    }
  return update_design (store, audit_id, NAN, 0, reviewers, error);
}

/* A bijective mix of the sample key (the splitmix64 finaliser): two
 * different salts give two unrelated orders of the same items. */
static guint64
mix (gint64  key,
     guint64 salt)
{
  guint64 z = (guint64) key ^ salt;

  z = (z ^ (z >> 30)) * G_GUINT64_CONSTANT (0xbf58476d1ce4e5b9);
  z = (z ^ (z >> 27)) * G_GUINT64_CONSTANT (0x94d049bb133111eb);
  return z ^ (z >> 31);
}

#define SALT_OVERLAP G_GUINT64_CONSTANT (0x6f7665726c617021)
#define SALT_ASSIGN  G_GUINT64_CONSTANT (0x61737369676e2121)

typedef struct
{
  guint   index;
  guint64 key;
} Ranked;

static int
compare_ranked (gconstpointer a,
                gconstpointer b)
{
  const Ranked *ra = a, *rb = b;

  if (ra->key != rb->key)
    return ra->key < rb->key ? -1 : 1;
  return ra->index < rb->index ? -1 : ra->index > rb->index;
}

void
ra_team_plan (const RaTeamDesign *design,
              GPtrArray          *items,
              const char         *reviewer,
              guint              *needed,
              gboolean           *assigned,
              gboolean           *overlap_item)
{
  g_autoptr(GHashTable) strata = g_hash_table_new_full (g_str_hash, g_str_equal, NULL,
                                                        (GDestroyNotify) g_array_unref);
  guint n_reviewers = design->reviewers ? g_strv_length (design->reviewers) : 0;
  int me = -1;
  GHashTableIter iter;
  GArray *ranked;

  for (guint r = 0; r < n_reviewers && reviewer != NULL; r++)
    if (g_str_equal (design->reviewers[r], reviewer))
      me = (int) r;

  for (guint i = 0; i < items->len; i++)
    {
      const RaResolvedItem *item = g_ptr_array_index (items, i);
      Ranked r = { i, mix (item->sample_key, SALT_OVERLAP) };

      overlap_item[i] = FALSE;
      if (!(ranked = g_hash_table_lookup (strata, item->stratum)))
        {
          ranked = g_array_new (FALSE, FALSE, sizeof (Ranked));
          g_hash_table_insert (strata, item->stratum, ranked);
        }
      g_array_append_val (ranked, r);
    }

  if (design->overlap > 0)
    {
      g_hash_table_iter_init (&iter, strata);
      while (g_hash_table_iter_next (&iter, NULL, (gpointer *) &ranked))
        {
          guint take = (guint) floor (design->overlap * ranked->len + 0.5);

          take = CLAMP (take, 1, ranked->len);
          g_array_sort (ranked, compare_ranked);
          for (guint k = 0; k < take; k++)
            overlap_item[g_array_index (ranked, Ranked, k).index] = TRUE;
        }
    }

  for (guint i = 0; i < items->len; i++)
    {
      const RaResolvedItem *item = g_ptr_array_index (items, i);
      guint need = MAX (design->reviewers_per_item, overlap_item[i] ? 2u : 1u);

      needed[i] = need;
      if (n_reviewers == 0)
        assigned[i] = TRUE;
      else if (me < 0)
        assigned[i] = FALSE;
      else
        {
          guint first = (guint) (mix (item->sample_key, SALT_ASSIGN) % n_reviewers);
          guint offset = ((guint) me + n_reviewers - first) % n_reviewers;

          assigned[i] = offset < MIN (need, n_reviewers);
        }
    }
}

/* ------------------------------------------------------------------ */
/* Gold                                                                 */

static gboolean
set_gold_locked (RaStore       *store,
                 gint64         audit_id,
                 gint64         turn_id,
                 RaLabelValue   value,
                 GError       **error)
{
  g_autoptr(sqlite3_stmt) stmt = NULL;
  g_autofree char *now = ra_now_rfc3339 ();

  if (!_ra_labels_item_in_audit (store, audit_id, turn_id, error))
    return FALSE;
  if (value == RA_LABEL_NONE)
    stmt = ra_store_prepare (store, "DELETE FROM gold_items WHERE audit_id = ?1 AND turn_id = ?2", error);
  else
    stmt = ra_store_prepare (store, "INSERT OR REPLACE INTO gold_items (audit_id, turn_id, value, created_at)"
                             " VALUES (?1, ?2, ?3, ?4)", error);
  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_int64 (stmt, 1, audit_id);
  sqlite3_bind_int64 (stmt, 2, turn_id);
  if (value != RA_LABEL_NONE)
    {
      ra_bind_text (stmt, 3, ra_label_value_to_string (value));
      ra_bind_text (stmt, 4, now);
    }
  return ra_store_step_done (store, stmt, _("cannot store the gold item"), error);
}

gboolean
ra_team_set_gold (RaStore       *store,
                  gint64         audit_id,
                  gint64         turn_id,
                  RaLabelValue   value,
                  GError       **error)
{
  g_return_val_if_fail (store != NULL, FALSE);

  if ((guint) value > RA_LABEL_UNSURE)
    {
      g_set_error (error, RA_LABELS_ERROR, RA_LABELS_ERROR_INVALID, _("unknown label value %d"), value);
      return FALSE;
    }
  if (!ra_store_begin (store, error))
    return FALSE;
  if (!set_gold_locked (store, audit_id, turn_id, value, error) ||
      !ra_store_commit (store, error))
    {
      ra_store_rollback (store);
      return FALSE;
    }
  return TRUE;
}

typedef struct
{
  const char *name;
  GString    *problems;
  guint       n_problems;
} GoldProblems;

static void G_GNUC_PRINTF (3, 4)
gold_problem (GoldProblems *p,
              guint64       line,
              const char   *format,
              ...)
{
  g_autofree char *msg = NULL;
  va_list args;

  if (++p->n_problems > MAX_GOLD_PROBLEMS)
    return;
  va_start (args, format);
  msg = g_strdup_vprintf (format, args);
  va_end (args);
  g_string_append_printf (p->problems, "%s%s:%" G_GUINT64_FORMAT ": %s", p->problems->len ? "\n" : "",
                          p->name, line, msg);
}

/* One gold record: checks it and stores it (inside the transaction). */
static gboolean
gold_record (RaStore       *store,
             gint64         audit_id,
             GoldProblems  *p,
             guint64        line,
             const char    *ext_id,
             const char    *model,
             const char    *value_text,
             GError       **error)
{
  g_autoptr(GError) local = NULL;
  RaLabelValue value;
  gint64 turn_id = 0;

  if (ext_id == NULL || *ext_id == '\0')
    {
      gold_problem (p, line, _("the turn id (ext_id) is missing"));
      return TRUE;
    }
  if (!ra_label_value_parse (value_text, &value) || value == RA_LABEL_NONE)
    {
      gold_problem (p, line, _("value '%s' is not correctly-declined, should-have-attempted or unsure"),
                    value_text ? value_text : "");
      return TRUE;
    }
  if (!ra_labels_resolve_turn (store, audit_id, ext_id, model && *model ? model : NULL, &turn_id, &local))
    {
      if (local->domain != RA_LABELS_ERROR)
        {
          g_propagate_error (error, g_steal_pointer (&local));
          return FALSE;
        }
      gold_problem (p, line, "%s", local->message);
      return TRUE;
    }
  if (p->n_problems > 0)
    return TRUE;
  return set_gold_locked (store, audit_id, turn_id, value, error);
}

static gboolean
gold_read (RaStore       *store,
           gint64         audit_id,
           GInputStream  *stream,
           gboolean       jsonl,
           GoldProblems  *p,
           guint64       *n_items,
           GError       **error)
{
  g_autoptr(RaReader) reader = ra_reader_new (stream, 1024 * 1024);
  int c_id = -1, c_model = -1, c_value = -1;
  gboolean header = TRUE;

  for (;;)
    {
      g_autofree char *problem = NULL;
      guint64 lineno = 0;
      RaReadStatus status;

      if (jsonl)
        {
          const char *line;
          gsize length;
          g_autoptr(cJSON) o = NULL;
          const cJSON *id, *model, *value;

          status = ra_reader_next_line (reader, &line, &length, &lineno, &problem, NULL, error);
          if (status == RA_READ_EOF)
            break;
          if (status == RA_READ_ERROR)
            return FALSE;
          if (status == RA_READ_BAD_RECORD)
            {
              gold_problem (p, lineno, "%s", problem);
              continue;
            }
          {
            g_autofree char *why = NULL;

            if (!(o = ra_json_parse_outside (line, length, &why)))
              {
                gold_problem (p, lineno, "%s", why);
                continue;
              }
          }
          if (!cJSON_IsObject (o))
            {
              gold_problem (p, lineno, _("not a JSON object"));
              continue;
            }
          id = cJSON_GetObjectItemCaseSensitive (o, "ext_id");
          if (id == NULL)
            id = cJSON_GetObjectItemCaseSensitive (o, "turn");
          model = cJSON_GetObjectItemCaseSensitive (o, "model");
          value = cJSON_GetObjectItemCaseSensitive (o, "value");
          if ((id && !cJSON_IsString (id)) || (model && !cJSON_IsString (model) && !cJSON_IsNull (model)) ||
              (value && !cJSON_IsString (value)))
            {
              gold_problem (p, lineno, _("ext_id, model and value must be strings"));
              continue;
            }
          if (!gold_record (store, audit_id, p, lineno, cJSON_GetStringValue (id), cJSON_GetStringValue (model),
                            cJSON_GetStringValue (value), error))
            return FALSE;
          (*n_items)++;
          continue;
        }

      status = ra_reader_next_csv (reader, &lineno, &problem, NULL, error);
      if (status == RA_READ_EOF)
        break;
      if (status == RA_READ_ERROR)
        return FALSE;
      if (status == RA_READ_BAD_RECORD)
        {
          gold_problem (p, lineno, "%s", problem);
          if (header)
            return TRUE;
          continue;
        }
      if (header)
        {
          for (guint f = 0; f < ra_reader_get_n_fields (reader); f++)
            {
              const char *name = ra_reader_get_field (reader, f, NULL);

              if (g_str_equal (name, "ext_id") || g_str_equal (name, "turn"))
                c_id = (int) f;
              else if (g_str_equal (name, "model"))
                c_model = (int) f;
              else if (g_str_equal (name, "value"))
                c_value = (int) f;
            }
          header = FALSE;
          if (c_id < 0 || c_value < 0)
            {
              gold_problem (p, lineno, _("the header needs the columns ext_id (or turn) and value"));
              return TRUE;
            }
          continue;
        }
      if (ra_reader_get_n_fields (reader) <= (guint) MAX (c_id, MAX (c_model, c_value)))
        {
          gold_problem (p, lineno, _("the row has fewer fields than the header"));
          continue;
        }
      if (!gold_record (store, audit_id, p, lineno, ra_reader_get_field (reader, c_id, NULL),
                        c_model >= 0 ? ra_reader_get_field (reader, c_model, NULL) : NULL,
                        ra_reader_get_field (reader, c_value, NULL), error))
        return FALSE;
      (*n_items)++;
    }
  if (header && !jsonl)
    gold_problem (p, 1, _("the file is empty: a CSV gold file needs a header row"));
  return TRUE;
}

gboolean
ra_team_import_gold (RaStore      *store,
                     gint64        audit_id,
                     const char   *path,
                     guint64      *n_items,
                     GError      **error)
{
  g_autoptr(GInputStream) stream = NULL;
  g_autoptr(GError) local = NULL;
  g_autofree char *contents = NULL;
  g_autofree char *what = NULL;
  gsize length = 0;
  GoldProblems p = { 0 };
  guint64 n = 0;
  gboolean ok;

  g_return_val_if_fail (store != NULL, FALSE);
  g_return_val_if_fail (path != NULL, FALSE);

  /* Read whole and bounded before the write lock is taken: a FIFO held
   * every reviewer's label back while it waited for a writer, /dev/zero
   * was read for 256 MB under the lock and then failed as a store error. */
  if (!ra_file_read_bounded (path, GOLD_MAX_BYTES, &contents, &length, &local))
    {
      if (g_error_matches (local, G_IO_ERROR, G_IO_ERROR_MESSAGE_TOO_LARGE))
        g_set_error (error, RA_LABELS_ERROR, RA_LABELS_ERROR_PARSE, "%s", local->message);
      else
        g_set_error (error, G_IO_ERROR,
                     local->code == G_FILE_ERROR_NOENT ? G_IO_ERROR_NOT_FOUND
                     : local->code == G_FILE_ERROR_ISDIR ? G_IO_ERROR_IS_DIRECTORY
                     : local->code == G_FILE_ERROR_ACCES ? G_IO_ERROR_PERMISSION_DENIED : G_IO_ERROR_FAILED,
                     "%s", local->message);
      return FALSE;
    }
  /* Compressed data, UTF-16, binary data or a store, named as such. */
  if ((what = ra_import_sniff_text ((const guint8 *) contents, length, TRUE)) != NULL ||
      ((g_str_has_suffix (path, ".jsonl") || g_str_has_suffix (path, ".json")) &&
       (what = ra_import_sniff_json_shape ((const guint8 *) contents, length)) != NULL))
    {
      g_set_error (error, RA_LABELS_ERROR, RA_LABELS_ERROR_PARSE, "%s: %s", path, what);
      return FALSE;
    }
  stream = g_memory_input_stream_new_from_data (contents, length, NULL);
  p.name = path;
  p.problems = g_string_new (NULL);
  if (!ra_store_begin (store, error))
    {
      g_string_free (p.problems, TRUE);
      return FALSE;
    }
  ok = gold_read (store, audit_id, G_INPUT_STREAM (stream),
                  g_str_has_suffix (path, ".jsonl") || g_str_has_suffix (path, ".json"), &p, &n, error);
  if (ok && p.n_problems == 0 && n == 0)
    gold_problem (&p, 1, _("the file holds no gold item"));
  if (ok && p.n_problems > 0)
    {
      if (p.n_problems > MAX_GOLD_PROBLEMS)
        g_string_append_printf (p.problems, _("\n%s: ... and %u more problems"), path,
                                p.n_problems - MAX_GOLD_PROBLEMS);
      g_string_append (p.problems, _("\nno gold item was stored"));
      g_set_error (error, RA_LABELS_ERROR, RA_LABELS_ERROR_PARSE, "%s", p.problems->str);
      ok = FALSE;
    }
  if (ok)
    ok = ra_store_commit (store, error);
  if (!ok)
    ra_store_rollback (store);
  else if (n_items)
    *n_items = n;
  g_string_free (p.problems, TRUE);
  return ok;
}
