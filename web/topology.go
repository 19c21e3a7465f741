package web

import (
	"bytes"
	"context"
	"crypto/sha256"
	"fmt"
	"net/netip"
	"sort"
	"strconv"
	"strings"
	"sync"

	"github.com/goccy/go-graphviz"
	lru "github.com/hashicorp/golang-lru/v2"

	"github.com/hivematrix/codex/codex"
)

// topology is one company's network as drawn: its devices, links and subnets.
type topology struct {
	Company *codex.Company
	Devices []*codex.NetworkEquipment
	Links   []*codex.NetworkLink
	Subnets []*codex.Subnet
}

// dot writes the topology in Graphviz's DOT language: devices as nodes (shape by type,
// colour by the RMM's status) grouped into clusters per location and, within it, per
// subnet; links as edges labelled with ports, speed and VLAN. Each node links to its
// device page (relative to the UI's root).
func (t *topology) dot(prefix string) []byte {
	var b bytes.Buffer
	fmt.Fprintf(&b, "graph %s {\n", quote(t.Company.Name))
	b.WriteString("  graph [rankdir=TB, fontname=\"Helvetica\", fontsize=11, nodesep=0.4, ranksep=0.7];\n")
	b.WriteString("  node [fontname=\"Helvetica\", fontsize=10, style=filled, penwidth=1.5];\n")
	b.WriteString("  edge [fontname=\"Helvetica\", fontsize=9, color=\"#5b6475\"];\n")

	type group struct{ location, subnet string }
	groups := map[group][]*codex.NetworkEquipment{}
	subnetOf := func(ip string) *codex.Subnet {
		a, err := netip.ParseAddr(ip)
		if err != nil {
			return nil
		}
		var best *codex.Subnet
		bestBits := -1
		for _, s := range t.Subnets {
			p, err := netip.ParsePrefix(s.CIDR)
			if err == nil && p.Contains(a) && p.Bits() > bestBits {
				best, bestBits = s, p.Bits()
			}
		}
		return best
	}
	vlanOf := map[int64]*int{}
	for _, d := range t.Devices {
		g := group{location: d.Location}
		if s := subnetOf(d.IPAddress); s != nil {
			g.subnet = s.CIDR
			if s.VLAN != nil {
				g.subnet += " · VLAN " + strconv.Itoa(*s.VLAN)
			}
			vlanOf[d.ID] = s.VLAN
		}
		groups[g] = append(groups[g], d)
	}
	keys := make([]group, 0, len(groups))
	for k := range groups {
		keys = append(keys, k)
	}
	sort.Slice(keys, func(i, j int) bool {
		if keys[i].location != keys[j].location {
			return keys[i].location < keys[j].location
		}
		return keys[i].subnet < keys[j].subnet
	})
	n := 0
	lastLoc := "\x00"
	for _, k := range keys {
		if k.location != lastLoc {
			if lastLoc != "\x00" && lastLoc != "" {
				b.WriteString("  }\n")
			}
			if k.location != "" {
				n++
				fmt.Fprintf(&b, "  subgraph cluster_%d {\n    label=%s; style=\"rounded\"; color=\"#9aa3b5\";\n", n, quote("Location: "+k.location))
			}
			lastLoc = k.location
		}
		indent := "  "
		if k.subnet != "" {
			n++
			fmt.Fprintf(&b, "  subgraph cluster_%d {\n    label=%s; style=\"dashed,rounded\"; color=\"#7aa7ff\";\n", n, quote(k.subnet))
			indent = "    "
		}
		for _, d := range groups[k] {
			shape, fill := deviceShape(d.Type), statusColour(d.Status)
			label := d.Name + "\n" + string(d.Type)
			if d.IPAddress != "" {
				label += "\n" + d.IPAddress
			}
			fmt.Fprintf(&b, "%sd%d [label=%s, shape=%s, fillcolor=%s, URL=%s, target=\"_top\", tooltip=%s];\n",
				indent, d.ID, quote(label), shape, quote(fill), quote(prefix+"network/equipment/"+strconv.FormatInt(d.ID, 10)),
				quote(d.Name+" ("+d.Status+")"))
		}
		if k.subnet != "" {
			b.WriteString("  }\n")
		}
	}
	if lastLoc != "\x00" && lastLoc != "" {
		b.WriteString("  }\n")
	}
	for _, l := range t.Links {
		var parts []string
		if l.APort != "" || l.BPort != "" {
			parts = append(parts, l.APort+" ↔ "+l.BPort)
		}
		if l.SpeedMbps > 0 {
			parts = append(parts, speed(l.SpeedMbps))
		}
		if v := vlanOf[l.AID]; v != nil && sameVLAN(v, vlanOf[l.BID]) {
			parts = append(parts, "VLAN "+strconv.Itoa(*v))
		}
		style := "solid"
		switch l.Kind {
		case codex.LinkWireless:
			style = "dashed"
		case codex.LinkVPN:
			style = "dotted"
		}
		fmt.Fprintf(&b, "  d%d -- d%d [label=%s, style=%s];\n", l.AID, l.BID, quote(strings.Join(parts, "\n")), style)
	}
	b.WriteString("}\n")
	return b.Bytes()
}

func sameVLAN(a, b *int) bool { return a != nil && b != nil && *a == *b }

func speed(mbps int) string {
	if mbps >= 1000 && mbps%1000 == 0 {
		return strconv.Itoa(mbps/1000) + " Gb/s"
	}
	return strconv.Itoa(mbps) + " Mb/s"
}

func deviceShape(t codex.EquipmentType) string {
	switch t {
	case codex.EquipmentRouter:
		return "ellipse"
	case codex.EquipmentSwitch:
		return "box"
	case codex.EquipmentFirewall:
		return "octagon"
	case codex.EquipmentAccessPoint:
		return "triangle"
	}
	return "component"
}

func statusColour(status string) string {
	switch status {
	case "online":
		return "#c8f0d2"
	case "offline":
		return "#ffd0cc"
	}
	return "#e4e7ee"
}

// quote makes s a DOT string literal.
func quote(s string) string {
	return `"` + strings.NewReplacer(`\`, `\\`, `"`, `\"`, "\n", `\n`).Replace(s) + `"`
}

// topologyRenderer lays out DOT into SVG with Graphviz compiled to WebAssembly (no cgo).
// The WebAssembly module is shared and not safe for concurrent use, so renders take turns.
// A layout depends on the DOT text alone, so recent pictures are kept by its hash: an
// unchanged network is not laid out again.
type topologyRenderer struct {
	mu    sync.Mutex
	gv    *graphviz.Graphviz
	cache *lru.Cache[[32]byte, []byte]
}

// svgCacheSize is how many rendered pictures are kept (a few KB each).
const svgCacheSize = 512

func (tr *topologyRenderer) svg(ctx context.Context, dot []byte) ([]byte, error) {
	key := sha256.Sum256(dot)
	tr.mu.Lock()
	defer tr.mu.Unlock()
	if tr.cache == nil {
		tr.cache, _ = lru.New[[32]byte, []byte](svgCacheSize)
	}
	if out, ok := tr.cache.Get(key); ok {
		return out, nil
	}
	if tr.gv == nil {
		gv, err := graphviz.New(context.WithoutCancel(ctx))
		if err != nil {
			return nil, codex.Wrap(err, "topology: graphviz")
		}
		tr.gv = gv
	}
	g, err := graphviz.ParseBytes(dot)
	if err != nil {
		return nil, codex.Wrap(err, "topology: parse")
	}
	defer g.Close()
	var buf bytes.Buffer
	if err := tr.gv.Render(ctx, g, graphviz.SVG, &buf); err != nil {
		return nil, codex.Wrap(err, "topology: render")
	}
	out := buf.Bytes()
	// Drop the XML prolog and DOCTYPE so the SVG can be inlined into the page.
	if i := bytes.Index(out, []byte("<svg")); i > 0 {
		out = out[i:]
	}
	tr.cache.Add(key, out)
	return out, nil
}
