/* ra-import-keys.h — the keys of the batch an import writes, recorded in key order
 *
 * Copyright 2026 The Refusal Audit authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include "ra-import-private.h"

G_BEGIN_DECLS

typedef struct _RaImportKeys RaImportKeys;

/* Between two of the key phase's transactions: FALSE with ERROR stops it. */
typedef gboolean (*RaImportKeysBetween) (gpointer   data,
                                         GError   **error);

RaImportKeys *ra_import_keys_new    (RaStore              *store,
                                     gint64                first_turn,
                                     GError              **error);
gboolean      ra_import_keys_add    (RaImportKeys         *keys,
                                     const char           *ext_id,
                                     gsize                 ext_id_len,
                                     const char           *model,
                                     gsize                 model_len,
                                     const char           *class,
                                     gsize                 class_len,
                                     gint64                turn_id,
                                     GError              **error);
/* Whether the import noted this key lately (a line repeating a recent one). */
gboolean      ra_import_keys_repeats (RaImportKeys        *keys,
                                      const char          *ext_id,
                                      gsize                ext_id_len,
                                      const char          *model,
                                      gsize                model_len);
gboolean      ra_import_keys_record (RaImportKeys         *keys,
                                     gint64                step_target_us,
                                     RaImportKeysBetween   between,
                                     gpointer              data,
                                     RaImportResult       *result,
                                     GError              **error);
void          ra_import_keys_free   (RaImportKeys         *keys);

/* ERROR, when it is a full disk, says so of the folder for temporary
 * files when that is the full one (not the store's disk). */
void          ra_import_keys_explain_full (RaStore        *store,
                                           GError        **error);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (RaImportKeys, ra_import_keys_free)

G_END_DECLS
