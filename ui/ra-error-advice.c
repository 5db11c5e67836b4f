/* ra-error-advice.c — what to do about a store error, for the dialogs
 *
 * Copyright 2026 The Refusal Audit authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <glib/gi18n.h>

#include "ra-error-advice.h"
#include "ra-store.h"

const char *
ra_error_advice (const GError *error)
{
  if (error == NULL || error->domain != RA_STORE_ERROR)
    return NULL;

  switch ((RaStoreError) error->code)
    {
    case RA_STORE_ERROR_BUSY:
      return _("Another program (an import, a detection, a backup) is writing to the store. "
               "Wait until it is done, then try again.");
    case RA_STORE_ERROR_FULL:
      return _("Free space on the disk that holds the store, then try again. What was not "
               "saved is not in the store; labels saved before are kept.");
    case RA_STORE_ERROR_READ_ONLY:
      return _("Copy the store to a folder you can write to and open the copy (Ctrl+O), "
               "or ask for write access to this one.");
    case RA_STORE_ERROR_PERMISSION:
      return _("Ask the store's owner for access, or open a copy of it that you own (Ctrl+O).");
    case RA_STORE_ERROR_CORRUPT:
      return _("Close the workbench and run “refusal-audit doctor” on the store: it says what "
               "is damaged and how to recover (see “When the store is damaged” in the README).");
    case RA_STORE_ERROR_NEWER:
      return _("Open it with the newer Refusal Audit that wrote it, or update this one.");
    case RA_STORE_ERROR_MIGRATION:
      return _("The store was left as it was. Free disk space or make it writable, then "
               "open it again.");
    case RA_STORE_ERROR_REPLACED:
      return _("Open the store again (Ctrl+O): another program moved or replaced its file.");
    case RA_STORE_ERROR_NOT_DATABASE:
      return _("Choose a Refusal Audit store (Ctrl+O): a file this program made, not another "
               "kind of file.");
    case RA_STORE_ERROR_MISSING:
    case RA_STORE_ERROR_OPEN:
      return _("Check that the file and its folder exist and can be read, or open another "
               "store (Ctrl+O).");
    default:
      return NULL;
    }
}

char *
ra_error_describe (const GError *error)
{
  const char *advice = ra_error_advice (error);

  g_return_val_if_fail (error != NULL, NULL);
  if (advice == NULL)
    return g_strdup (error->message);
  return g_strdup_printf ("%s\n\n%s", error->message, advice);
}
