package migrations

// Contacts as the HiveMatrix platform shows them: further e-mail addresses (a JSON list,
// never null) and the employment type, both filled by the Freshservice sync from the
// requester's secondary_emails and custom_fields.employment_type.

func init() {
	Migrations.MustRegister(up(ddl{pg: contactPlatformPG, sqlite: contactPlatformSQLite}), down)
}

const contactPlatformPG = `
ALTER TABLE contacts ADD COLUMN secondary_emails jsonb NOT NULL DEFAULT '[]';
ALTER TABLE contacts ADD COLUMN employment_type text NOT NULL DEFAULT '';
`

const contactPlatformSQLite = `
ALTER TABLE contacts ADD COLUMN secondary_emails TEXT NOT NULL DEFAULT '[]';
ALTER TABLE contacts ADD COLUMN employment_type text NOT NULL DEFAULT '';
`
