package codex

import "slices"

// Resource is a kind of data the policy decides about.
type Resource string

// The resources. Billing is the billing fields of companies (plan, contract, billing contact).
const (
	ResCompany     Resource = "company"
	ResBilling     Resource = "billing"
	ResLocation    Resource = "location"
	ResContact     Resource = "contact"
	ResAsset       Resource = "asset"
	ResNetwork     Resource = "network" // equipment, links and subnets
	ResTicket      Resource = "ticket"  // tickets and alerts (written by the sync engine)
	ResAgent       Resource = "agent"
	ResAudit       Resource = "audit"
	ResSync        Resource = "sync"
	ResPreferences Resource = "preferences" // one's own preferences
	ResPlan        Resource = "plan"        // the billing plan catalogue
)

// Action is what a caller wants to do with a resource.
type Action string

// The actions.
const (
	Read  Action = "read"
	Write Action = "write"
)

// staffWrites are the resources a technician (or a service granted Write) may change.
var staffWrites = []Resource{ResCompany, ResLocation, ResContact, ResAsset, ResNetwork}

// Can reports whether p may perform action on res. It is the whole access matrix of Codex;
// scoping (a client sees only its subtree) and field rules (secrets, redaction) are
// decided by ScopeRoot, SeesSecrets and MustRedact.
//
//	who        reads                          writes
//	admin      everything, secrets included   everything, including sync and agents
//	technician everything but secrets         companies (not billing fields), locations, contacts, assets, network
//	billing    everything but secrets         billing fields of companies only
//	client     own company subtree            own preferences only
//	(no company) own preferences only          own preferences only
//	service    per grant (Read)               per grant (Write: like a technician; Sync: runs)
//	everyone   own preferences                own preferences
//	plans      like billing fields            admins and write-granted services only
func (p *Principal) Can(action Action, res Resource) bool {
	if p == nil {
		return false
	}
	if res == ResPreferences {
		return p.Email != "" || p.System
	}
	if p.System || (p.Level == LevelAdmin && p.Service == "") {
		return true
	}
	if res == ResPlan && action == Write {
		// Admins (above) and services granted writes only: not billing users, not clients.
		return p.Service != "" && p.Grant.Write
	}
	if p.Service != "" {
		switch action {
		case Read:
			return p.Grant.Read && res != ResAgent
		default:
			if res == ResSync || res == ResTicket {
				return p.Grant.Sync
			}
			return p.Grant.Write && slices.Contains(staffWrites, res)
		}
	}
	switch p.Level {
	case LevelTechnician:
		return action == Read || slices.Contains(staffWrites, res)
	case LevelBilling:
		return action == Read || res == ResBilling
	case LevelClient:
		// A client user without a company (the platform's users outside its staff
		// groups) has only its own preferences.
		return p.CompanyID > 0 && action == Read && res != ResAudit && res != ResSync && res != ResAgent
	}
	return false
}

// CanWriteCompanyFields reports whether p may change the given company columns: billing
// columns need the billing right, every other column the company right.
func (p *Principal) CanWriteCompanyFields(fields []string) (bool, string) {
	for _, f := range fields {
		res := ResCompany
		if slices.Contains(BillingFields, f) {
			res = ResBilling
		}
		if !p.Can(Write, res) {
			return false, f
		}
	}
	return true, ""
}

// CanUpdatePSATickets reports whether p may change tickets in the PSA (their status and
// notes) through Codex: admins, technicians and services granted write. Sync-granted
// services write tickets into Codex only, never to the PSA.
func (p *Principal) CanUpdatePSATickets() bool {
	if p == nil {
		return false
	}
	if p.System {
		return true
	}
	if p.Service != "" {
		return p.Grant.Write
	}
	return p.Level == LevelAdmin || p.Level == LevelTechnician
}

// SeesSecrets reports whether p may read secret fields (licence keys, secret custom fields).
func (p *Principal) SeesSecrets() bool {
	return p != nil && (p.System || (p.Level == LevelAdmin && p.Service == ""))
}

// MayWriteSecrets reports whether p may set secret fields (licence keys, secret custom
// fields): only those who may read them. Anyone else would overwrite values they cannot
// see, and the audit log, which hides secrets, could not bring them back.
func (p *Principal) MayWriteSecrets() bool { return p.SeesSecrets() }

// MayLowerCompliance reports whether p may lower a company's compliance level (from CJIS
// or HIPAA to less): only an admin person or the system, since it lifts the redaction of
// the company's data for every service.
func (p *Principal) MayLowerCompliance() bool {
	return p != nil && (p.System || (p.Level == LevelAdmin && p.Service == ""))
}

// MustRedact reports whether p's reads are PHI/CJIS-redacted.
func (p *Principal) MustRedact() bool {
	return p != nil && (p.Redact || (p.Service != "" && p.Grant.Redact))
}

// HoldsCJISGrant reports whether p may read the redacted free text of CJIS companies
// when its reads are redacted. Only a service configured with the cjis right holds it;
// a person who asks for redaction gets that text withheld, since people are cleared
// (or not) by their role, which lets them read unredacted data in the first place.
func (p *Principal) HoldsCJISGrant() bool {
	return p != nil && (p.System || p.Service != "" && p.Grant.CJIS)
}

// ScopeRoot returns the company whose subtree is all p may see, for a client user.
func (p *Principal) ScopeRoot() (int64, bool) {
	if p != nil && p.Level == LevelClient && p.Service == "" && !p.System {
		return p.CompanyID, true
	}
	return 0, false
}

// StripSecrets blanks the secret fields of an asset.
func (a *Asset) StripSecrets() {
	a.LicenseKey = ""
	a.SecretFields = nil
}
