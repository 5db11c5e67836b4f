/* ra-sample-key.c — sampling keys that every SQL engine computes the same way
 *
 * Copyright 2026 The Refusal Audit authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * See ra-sample-key.h for the definition.
 */

#define G_LOG_DOMAIN "ra-sample-key"

#include "config.h"

#include <string.h>

#include "ra-sample-key.h"

const char *
ra_key_version_to_string (RaKeyVersion version)
{
  return version == RA_KEY_MD5 ? RA_KEY_VERSION_MD5_NAME : RA_KEY_VERSION_SIPHASH24_NAME;
}

gboolean
ra_key_version_parse (const char   *text,
                      RaKeyVersion *out)
{
  if (g_strcmp0 (text, RA_KEY_VERSION_MD5_NAME) == 0)
    *out = RA_KEY_MD5;
  else if (g_strcmp0 (text, RA_KEY_VERSION_SIPHASH24_NAME) == 0)
    *out = RA_KEY_SIPHASH24;
  else
    return FALSE;
  return TRUE;
}

char *
ra_seed_to_text (guint64 seed)
{
  return g_strdup_printf ("%" G_GUINT64_FORMAT, seed);
}

gboolean
ra_seed_parse (const char *text,
               guint64    *out)
{
  guint64 v = 0;

  if (text == NULL || *text == '\0')
    return FALSE;
  for (const char *p = text; *p; p++)
    {
      guint d;

      if (*p < '0' || *p > '9')
        return FALSE;
      d = (guint) (*p - '0');
      if (v > (G_MAXUINT64 - d) / 10)
        return FALSE;
      v = v * 10 + d;
    }
  *out = v;
  return TRUE;
}

char *
ra_sample_key_message (guint64     seed,
                       const char *model,
                       const char *id)
{
  return g_strdup_printf ("%" G_GUINT64_FORMAT ":%s:%s", seed, model ? model : "", id ? id : "");
}

void
ra_sample_key_md5 (guint64     seed,
                   const char *model,
                   const char *id,
                   char        out[RA_SAMPLE_KEY_HEX_LEN + 1])
{
  g_autoptr(GChecksum) md5 = g_checksum_new (G_CHECKSUM_MD5);
  char seed_text[24];
  int n;

  n = g_snprintf (seed_text, sizeof seed_text, "%" G_GUINT64_FORMAT ":", seed);
  g_checksum_update (md5, (const guchar *) seed_text, n);
  if (model != NULL)
    g_checksum_update (md5, (const guchar *) model, strlen (model));
  g_checksum_update (md5, (const guchar *) ":", 1);
  if (id != NULL)
    g_checksum_update (md5, (const guchar *) id, strlen (id));
  /* g_checksum_get_string () is lower-case hex. */
  memcpy (out, g_checksum_get_string (md5), RA_SAMPLE_KEY_HEX_LEN);
  out[RA_SAMPLE_KEY_HEX_LEN] = '\0';
}

guint64
ra_sample_key_md5_prefix (guint64     seed,
                          const char *model,
                          const char *id)
{
  char hex[RA_SAMPLE_KEY_HEX_LEN + 1];

  ra_sample_key_md5 (seed, model, id, hex);
  return ra_sample_key_prefix64 (hex);
}

gboolean
ra_sample_key_is_valid (const char *text)
{
  if (text == NULL)
    return FALSE;
  for (guint i = 0; i < RA_SAMPLE_KEY_HEX_LEN; i++)
    if (!((text[i] >= '0' && text[i] <= '9') || (text[i] >= 'a' && text[i] <= 'f')))
      return FALSE;
  return text[RA_SAMPLE_KEY_HEX_LEN] == '\0';
}

static guint64
hex64 (const char *p)
{
  guint64 v = 0;

  for (guint i = 0; i < 16; i++)
    v = (v << 4) | (guint64) g_ascii_xdigit_value (p[i]);
  return v;
}

guint64
ra_sample_key_prefix64 (const char *hex)
{
  return hex64 (hex);
}

guint64
ra_sample_key_suffix64 (const char *hex)
{
  return hex64 (hex + 16);
}
