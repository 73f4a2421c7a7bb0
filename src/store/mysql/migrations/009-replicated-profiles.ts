/**
 * Subscriber profiles replicate (issue 13): a port moves a subscriber's home site and telco
 * at every site. `origin_site` names the site that made the profile's current version (''
 * for a profile made implicitly by a first check-in, version 1); concurrent changes resolve
 * by (version, origin_site), as venues do.
 */
export const up = [
  `ALTER TABLE users ADD COLUMN IF NOT EXISTS telco VARCHAR(16) NULL`,
  `ALTER TABLE users ADD COLUMN IF NOT EXISTS origin_site VARCHAR(16) NOT NULL DEFAULT ''`,
];
