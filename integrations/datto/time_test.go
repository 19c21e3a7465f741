package datto_test

import (
	"encoding/json"
	"testing"
	"time"

	"github.com/hivematrix/codex/integrations/datto"
)

func TestTimeUnmarshal(t *testing.T) {
	want := time.Date(2023, 11, 14, 22, 13, 20, 0, time.UTC) // 1700000000000 ms
	tests := []struct {
		in      string
		want    time.Time
		wantErr bool
	}{
		{`1700000000000`, want, false},
		{`1.7e12`, want, false},
		{`"1700000000000"`, want, false},
		{`"2023-11-14T22:13:20Z"`, want, false},
		{`"2023-11-14T22:13:20.000Z"`, want, false},
		{`"2023-11-14T23:13:20+01:00"`, want, false},
		{`"2023-11-14T22:13:20"`, want, false},
		{`"2023-11-14 22:13:20"`, want, false},
		{`"2023-11-14T22:13:20.000+0000"`, want, false},
		{`null`, time.Time{}, false},
		{`""`, time.Time{}, false},
		{`"yesterday"`, time.Time{}, true},
		{`true`, time.Time{}, true},
		{`{}`, time.Time{}, true},
	}
	for _, tt := range tests {
		var got datto.Time
		err := json.Unmarshal([]byte(tt.in), &got)
		if (err != nil) != tt.wantErr {
			t.Errorf("Unmarshal(%s) error = %v; want error %v", tt.in, err, tt.wantErr)
			continue
		}
		if !got.Equal(tt.want) {
			t.Errorf("Unmarshal(%s) = %v; want %v", tt.in, got.Time, tt.want)
		}
	}
}

func TestTimeMarshal(t *testing.T) {
	tests := []struct {
		in   datto.Time
		want string
	}{
		{datto.Time{Time: time.UnixMilli(1700000000123)}, `1700000000123`},
		{datto.Time{}, `null`},
	}
	for _, tt := range tests {
		got, err := json.Marshal(tt.in)
		if err != nil || string(got) != tt.want {
			t.Errorf("Marshal(%v) = %s, %v; want %s", tt.in.Time, got, err, tt.want)
		}
	}
}
