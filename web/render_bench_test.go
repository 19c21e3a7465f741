package web

import (
	"context"
	"fmt"
	"testing"

	"github.com/hivematrix/codex/codex"
)

// BenchmarkTopologySVG lays out a seed-sized topology (8 devices, 12 links, a subnet).
func BenchmarkTopologySVG(b *testing.B) {
	vlan := 20
	top := &topology{Company: &codex.Company{Name: "Bench"}, Subnets: []*codex.Subnet{{CIDR: "10.0.0.0/24", VLAN: &vlan}}}
	for i := 1; i <= 8; i++ {
		top.Devices = append(top.Devices, &codex.NetworkEquipment{ID: int64(i), Name: fmt.Sprintf("DEV-%d", i), Type: codex.EquipmentSwitch,
			Status: "online", IPAddress: fmt.Sprintf("10.0.0.%d", i), Location: "HQ"})
	}
	for i := 0; i < 12; i++ {
		top.Links = append(top.Links, &codex.NetworkLink{AID: int64(i%8 + 1), BID: int64((i*3+1)%8 + 1), APort: "Gi1/0/1", BPort: "Gi1/0/2", SpeedMbps: 1000})
	}
	dot := top.dot("")
	var tr topologyRenderer
	ctx := context.Background()
	if _, err := tr.svg(ctx, dot); err != nil {
		b.Fatal(err)
	}
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		tr.cache.Purge() // measure the layout, not the cache
		if _, err := tr.svg(ctx, dot); err != nil {
			b.Fatal(err)
		}
	}
}
