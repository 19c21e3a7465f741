package config

import (
	"strings"
	"testing"
)

func TestSyncAccountNumberSettings(t *testing.T) {
	c, err := Load(env(map[string]string{"CODEX_SYNC_ACCOUNT_NUMBER_FORMAT": "MSP-%05d", "CODEX_SYNC_ACCOUNT_NUMBER_START": "500"}))
	if err != nil || c.Sync.AccountNumberFormat != "MSP-%05d" || c.Sync.AccountNumberStart != 500 {
		t.Fatalf("Load = %+v, %v; want format MSP-%%05d from 500", c.Sync, err)
	}
	if d := Default().Sync; d.AccountNumberFormat != "%06d" || d.AccountNumberStart != 1 {
		t.Errorf("Default().Sync = %+v; want %%06d from 1", d)
	}
	for _, bad := range []string{"MSP", "%s-%d", "%d%d"} {
		_, err := Load(env(map[string]string{"CODEX_SYNC_ACCOUNT_NUMBER_FORMAT": bad}))
		if err == nil || !strings.Contains(err.Error(), "CODEX_SYNC_ACCOUNT_NUMBER_FORMAT") {
			t.Errorf("Load(format %q) = %v; want an error naming the variable", bad, err)
		}
	}
}
