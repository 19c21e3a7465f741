package migrations

// The platform's company and device fields (issue 14). Companies gain the profile fields
// the platform's services read (support level, profit or non-profit, main number, start
// date, phone and e-mail systems); assets gain the RMM's device audit (external IP, last
// logged-in user, domain, antivirus, patch status, backup usage). Every column has a
// default, so existing rows stay valid and no write path needs to know them.

func init() {
	Migrations.MustRegister(up(ddl{pg: platformPG, sqlite: platformSQLite}), down)
}

const platformPG = `
ALTER TABLE companies ADD COLUMN support_level text NOT NULL DEFAULT '';
ALTER TABLE companies ADD COLUMN profit_or_non_profit text NOT NULL DEFAULT '';
ALTER TABLE companies ADD COLUMN company_main_number text NOT NULL DEFAULT '';
ALTER TABLE companies ADD COLUMN company_start_date date;
ALTER TABLE companies ADD COLUMN phone_system text NOT NULL DEFAULT '';
ALTER TABLE companies ADD COLUMN email_system text NOT NULL DEFAULT '';

ALTER TABLE assets ADD COLUMN ext_ip_address text NOT NULL DEFAULT '';
ALTER TABLE assets ADD COLUMN last_logged_in_user text NOT NULL DEFAULT '';
ALTER TABLE assets ADD COLUMN domain text NOT NULL DEFAULT '';
ALTER TABLE assets ADD COLUMN antivirus_product text NOT NULL DEFAULT '';
ALTER TABLE assets ADD COLUMN antivirus_status text NOT NULL DEFAULT '';
ALTER TABLE assets ADD COLUMN patch_status text NOT NULL DEFAULT '';
ALTER TABLE assets ADD COLUMN backup_data_bytes bigint;
`

const platformSQLite = `
ALTER TABLE companies ADD COLUMN support_level text NOT NULL DEFAULT '';
ALTER TABLE companies ADD COLUMN profit_or_non_profit text NOT NULL DEFAULT '';
ALTER TABLE companies ADD COLUMN company_main_number text NOT NULL DEFAULT '';
ALTER TABLE companies ADD COLUMN company_start_date DATE;
ALTER TABLE companies ADD COLUMN phone_system text NOT NULL DEFAULT '';
ALTER TABLE companies ADD COLUMN email_system text NOT NULL DEFAULT '';

ALTER TABLE assets ADD COLUMN ext_ip_address text NOT NULL DEFAULT '';
ALTER TABLE assets ADD COLUMN last_logged_in_user text NOT NULL DEFAULT '';
ALTER TABLE assets ADD COLUMN domain text NOT NULL DEFAULT '';
ALTER TABLE assets ADD COLUMN antivirus_product text NOT NULL DEFAULT '';
ALTER TABLE assets ADD COLUMN antivirus_status text NOT NULL DEFAULT '';
ALTER TABLE assets ADD COLUMN patch_status text NOT NULL DEFAULT '';
ALTER TABLE assets ADD COLUMN backup_data_bytes INTEGER;
`
