package codex

// ComplianceLevel says which PHI/CJIS rules apply to a company's data.
type ComplianceLevel string

// The compliance levels.
const (
	ComplianceStandard ComplianceLevel = "standard"
	ComplianceHIPAA    ComplianceLevel = "hipaa"
	ComplianceCJIS     ComplianceLevel = "cjis"
)

// Rank orders compliance levels from the least strict (standard, 0) to the strictest
// (CJIS, 2); an unknown level ranks with standard.
func (l ComplianceLevel) Rank() int {
	switch l {
	case ComplianceHIPAA:
		return 1
	case ComplianceCJIS:
		return 2
	}
	return 0
}

// Valid reports whether l is a known compliance level.
func (l ComplianceLevel) Valid() bool {
	return l == ComplianceStandard || l == ComplianceHIPAA || l == ComplianceCJIS
}
