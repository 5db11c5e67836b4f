/* ra-audit-read.c — read a frame without the write lock, then write briefly
 *
 * Copyright 2026 The Refusal Audit authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Reading an audit's frame (every turn of the filters, their keys, sorted)
 * takes seconds on a million turns. It runs in a read transaction, which
 * other connections never wait for; the audit is then written in one short
 * write transaction, once it is known that what the frame was read from
 * has not changed in between:
 *
 *  - PRAGMA data_version is the same as in the read: nobody committed
 *    anything (the common case, checked in microseconds);
 *  - else (a label, say, was committed meanwhile) the frame's inputs are
 *    summarised again, outside the lock, and compared with the read's:
 *    the batches, the pending imports, the turn rows and every detector
 *    verdict (a sum of a 64-bit mix of (turn, verdict) over the
 *    detections, so that a verdict changed in place is seen);
 *  - when commits keep coming between that check and the lock, the last
 *    check runs under the lock (about 0.1 s on a million detections).
 *
 * When the inputs changed, the frame is read again; after MAX_ROUNDS
 * reads that each saw a change, nothing is written and the caller is told
 * to try again.
 */

#define G_LOG_DOMAIN "ra-audit"

#include "config.h"

#include <glib/gi18n-lib.h>

#include <string.h>

#include "ra-audit-private.h"
#include "ra-store-private.h"

#define MAX_ROUNDS 3
#define MAX_CHECKS 3

static RaAuditReadHook test_hook;
static gpointer test_hook_data;

void
ra_audit_set_read_hook (RaAuditReadHook hook,
                        gpointer        data)
{
  test_hook = hook;
  test_hook_data = data;
}

/* splitmix64's finaliser: every bit of X moves about half the output bits. */
static inline guint64
mix64 (guint64 x)
{
  x ^= x >> 30;
  x *= G_GUINT64_CONSTANT (0xbf58476d1ce4e5b9);
  x ^= x >> 27;
  x *= G_GUINT64_CONSTANT (0x94d049bb133111eb);
  x ^= x >> 31;
  return x;
}

static void
mix_step (sqlite3_context  *ctx,
          int               argc,
          sqlite3_value   **argv)
{
  guint64 *sum = sqlite3_aggregate_context (ctx, sizeof (guint64));
  guint64 a = (guint64) sqlite3_value_int64 (argv[0]);
  guint64 b = (guint64) sqlite3_value_int64 (argv[1]);

  (void) argc;
  if (sum != NULL)
    *sum += mix64 (a * G_GUINT64_CONSTANT (0x9e3779b97f4a7c15) + mix64 (b + 1));
}

static void
mix_final (sqlite3_context *ctx)
{
  guint64 *sum = sqlite3_aggregate_context (ctx, 0);

  sqlite3_result_int64 (ctx, sum != NULL ? (gint64) *sum : 0);
}

#define MIX_REGISTERED "ra-audit-mix-registered"

/* Registered once per connection (re-registering would expire its
 * prepared statements). */
static gboolean
register_mix (RaStore  *store,
              GError  **error)
{
  GQuark key = g_quark_from_static_string (MIX_REGISTERED);
  int rc;

  if (ra_store_get_data (store, key) != NULL)
    return TRUE;
  rc = sqlite3_create_function_v2 (ra_store_get_db (store), "ra_audit_mix", 2,
                                   SQLITE_UTF8 | SQLITE_DETERMINISTIC, NULL, NULL,
                                   mix_step, mix_final, NULL);
  if (rc != SQLITE_OK)
    return ra_store_set_error (store, rc, _("cannot read the turns"), error);
  ra_store_set_data (store, key, GINT_TO_POINTER (1), NULL);
  return TRUE;
}

#define N_INPUTS 9

typedef struct
{
  gint64 v[N_INPUTS];
} Inputs;

/* What the frame is read from, summarised: turns only ever land whole
 * (batches, import_pending) or go with their batch, and detections are
 * upserted in place. */
static gboolean
read_inputs (RaStore  *store,
             Inputs   *out,
             GError  **error)
{
  g_autoptr(sqlite3_stmt) stmt = NULL;
  int rc;

  if (!register_mix (store, error) ||
      !(stmt = ra_store_prepare (store,
                                 "SELECT (SELECT count (*) FROM batches),"
                                 " (SELECT ifnull (max (id), 0) FROM batches),"
                                 " (SELECT count (*) FROM import_pending),"
                                 " (SELECT ifnull (min (first_turn), 0) FROM import_pending),"
                                 " (SELECT count (*) FROM turn_rows),"
                                 " (SELECT ifnull (max (id), 0) FROM turn_rows),"
                                 " count (*), ifnull (max (turn_id), 0), ra_audit_mix (turn_id, verdict)"
                                 " FROM detections", error)))
    return FALSE;
  rc = sqlite3_step (stmt);
  if (rc != SQLITE_ROW)
    return ra_store_set_error (store, rc, _("cannot read the turns"), error);
  for (guint i = 0; i < N_INPUTS; i++)
    out->v[i] = sqlite3_column_int64 (stmt, (int) i);
  return TRUE;
}

static gboolean
read_data_version (RaStore  *store,
                   gint64   *out,
                   GError  **error)
{
  g_autoptr(sqlite3_stmt) stmt = NULL;
  int rc;

  if (!(stmt = ra_store_prepare (store, "PRAGMA data_version", error)))
    return FALSE;
  rc = sqlite3_step (stmt);
  if (rc != SQLITE_ROW)
    return ra_store_set_error (store, rc, _("cannot read the store's header"), error);
  *out = sqlite3_column_int64 (stmt, 0);
  return TRUE;
}

/* A read transaction: BEGIN takes no lock; the first read fixes the
 * snapshot every later read of the transaction sees. */
static gboolean
read_begin (RaStore  *store,
            GError  **error)
{
  if (!ra_store_check_file (store, error))
    return FALSE;
  return ra_store_exec (store, "BEGIN", error);
}

/* The inputs and the data version, in the snapshot of the transaction
 * the caller is in (the inputs first: they fix the snapshot). */
static gboolean
read_state (RaStore  *store,
            Inputs   *inputs,
            gint64   *version,
            GError  **error)
{
  return read_inputs (store, inputs, error) && read_data_version (store, version, error);
}

/* Takes the write lock when the inputs are still SEEN (as of VERSION);
 * *CHANGED when they are not (no lock then). */
static gboolean
begin_unchanged (RaStore       *store,
                 const Inputs  *seen,
                 gint64         version,
                 gboolean      *changed,
                 GError       **error)
{
  *changed = FALSE;
  for (guint check = 1; ; check++)
    {
      Inputs now;
      gint64 now_version;
      gboolean ok;

      if (!ra_store_begin (store, error))
        return FALSE;
      if (!read_data_version (store, &now_version, error))
        goto failed;
      if (now_version == version)
        return TRUE;
      if (check == MAX_CHECKS)
        {
          if (!read_inputs (store, &now, error))
            goto failed;
          if (memcmp (&now, seen, sizeof now) == 0)
            return TRUE;
          ra_store_rollback (store);
          *changed = TRUE;
          return TRUE;
        }
      ra_store_rollback (store);

      /* Someone committed: if not to the frame's inputs, only the check
       * is redone. */
      if (!read_begin (store, error))
        return FALSE;
      ok = read_state (store, &now, &version, error);
      ra_store_rollback (store);
      if (!ok)
        return FALSE;
      if (memcmp (&now, seen, sizeof now) != 0)
        {
          *changed = TRUE;
          return TRUE;
        }
    }

failed:
  ra_store_rollback (store);
  return FALSE;
}

gboolean
ra_audit_read_then_write (RaStore           *store,
                          RaAuditReadFunc    read,
                          RaAuditWriteFunc   write,
                          gpointer           data,
                          GError           **error)
{
  for (guint round = 0; round < MAX_ROUNDS; round++)
    {
      Inputs seen;
      gint64 version, t0, t1, t2;
      gboolean ok, changed;

      t0 = g_get_monotonic_time ();
      if (!read_begin (store, error))
        return FALSE;
      ok = read (store, data, error);
      if (ok && test_hook != NULL)
        test_hook (test_hook_data);
      ok = ok && read_state (store, &seen, &version, error);
      ra_store_rollback (store);
      if (!ok)
        return FALSE;

      if (!begin_unchanged (store, &seen, version, &changed, error))
        return FALSE;
      if (changed)
        {
          g_debug ("the frame's turns or verdicts changed while it was read: reading it again");
          continue;
        }
      t1 = g_get_monotonic_time ();
      if (!write (store, data, error) || !ra_store_commit (store, error))
        {
          ra_store_rollback (store);
          return FALSE;
        }
      t2 = g_get_monotonic_time ();
      g_debug ("read (no lock) %.1f ms; write lock held %.1f ms",
               (t1 - t0) / 1000.0, (t2 - t1) / 1000.0);
      return TRUE;
    }

  g_set_error (error, RA_STORE_ERROR, RA_STORE_ERROR_BUSY,
               _("the turns or the detector's verdicts changed each of the %d times the frame was read "
                 "(an import or a detection run is landing): nothing was stored; try again when it is done"),
               MAX_ROUNDS);
  return FALSE;
}
