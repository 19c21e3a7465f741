package syncer

import (
	"encoding/json"
	"regexp"
	"strconv"
	"strings"

	"github.com/hivematrix/codex/integrations/datto"
)

// BackupUDF is the Datto user-defined field that carries a device's backup usage in
// bytes, as the platform's backup script writes it (HiveMatrix read udf6).
const BackupUDF = "udf6"

// Secret UDF values: a BitLocker recovery key (eight groups of six digits), a Windows
// product key (five groups of five), or a value labelled as a key or password.
var (
	bitlockerKey = regexp.MustCompile(`\b\d{6}(-\d{6}){7}\b`)
	productKey   = regexp.MustCompile(`(?i)\b[A-Z0-9]{5}(-[A-Z0-9]{5}){4}\b`)
	secretLabel  = regexp.MustCompile(`(?i)bitlocker|recovery key|product key|license key|licence key|password|passwd|secret`)
)

// secretUDF reports whether a UDF value is a secret: it goes to the asset's secret
// fields, which only admins read (never services), not to its custom fields.
func secretUDF(v string) bool {
	return bitlockerKey.MatchString(v) || productKey.MatchString(v) || secretLabel.MatchString(v)
}

// deviceUDFs splits a device's non-empty UDFs (the backup field aside) into plain and
// secret ones, each as the JSON text of a map ("" for none), the mapped value of the
// custom_fields and secret_fields fields.
func deviceUDFs(d datto.Device) (plain, secret string) {
	pm, sm := map[string]string{}, map[string]string{}
	for k, v := range d.UDF {
		v = strings.TrimSpace(v)
		if v == "" || k == BackupUDF {
			continue
		}
		if secretUDF(v) {
			sm[k] = v
		} else {
			pm[k] = v
		}
	}
	return mapText(pm), mapText(sm)
}

// backupBytes reads the backup UDF: a whole number of bytes, "" when absent or unreadable.
func backupBytes(d datto.Device) string {
	s := strings.TrimSpace(d.UDF[BackupUDF])
	n, err := strconv.ParseFloat(s, 64)
	if s == "" || err != nil || n < 0 {
		return ""
	}
	return strconv.FormatInt(int64(n), 10)
}

// mapText is a map's mapped value: sorted JSON, "" for an empty map.
func mapText(m map[string]string) string {
	if len(m) == 0 {
		return ""
	}
	b, _ := json.Marshal(m) // sorted keys
	return string(b)
}

func parseMap(s string) map[string]string {
	m := map[string]string{}
	if s != "" {
		_ = json.Unmarshal([]byte(s), &m)
	}
	return m
}

func parseInt64Ptr(s string) *int64 {
	n, err := strconv.ParseInt(s, 10, 64)
	if s == "" || err != nil {
		return nil
	}
	return &n
}
