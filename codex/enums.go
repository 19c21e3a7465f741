package codex

// ComplianceLevel says which PHI/CJIS rules apply to a company's data.
type ComplianceLevel string

// The compliance levels.
const (
	ComplianceStandard ComplianceLevel = "standard"
	ComplianceHIPAA    ComplianceLevel = "hipaa"
	ComplianceCJIS     ComplianceLevel = "cjis"
)

// Valid reports whether l is a known compliance level.
func (l ComplianceLevel) Valid() bool {
	return l == ComplianceStandard || l == ComplianceHIPAA || l == ComplianceCJIS
}
