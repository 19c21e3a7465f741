package web

import (
	"context"
	"html/template"
	"net/http"
	"net/netip"
	"net/url"
	"sort"
	"strconv"
	"strings"
	"time"

	"golang.org/x/sync/errgroup"

	"github.com/hivematrix/codex/codex"
)

type networkListData struct {
	Q          url.Values
	Page       *codex.Page[codex.NetworkEquipment]
	Next, Prev string
}

// networkList serves /network: every visible device, searchable, with links to each
// company's topology.
func (u *UI) networkList(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	f := codex.EquipmentFilter{Search: q.Get("q")}
	if t := q.Get("type"); t != "" {
		f.Type = []codex.EquipmentType{codex.EquipmentType(t)}
	}
	pg, err := u.svc.Network.EquipmentList(r.Context(), f, pageArgs(q, false))
	if err != nil {
		u.fail(w, r, err)
		return
	}
	d := networkListData{Q: q, Page: pg}
	d.Next, d.Prev = pagerLinks("network", q, pg)
	u.render(w, r, http.StatusOK, "network", "Network", "network", d)
}

// loadTopology reads a company's devices, links and subnets through the policy layer.
func (u *UI) loadTopology(ctx context.Context, id int64) (*topology, error) {
	c, err := u.svc.Companies.Company(ctx, id)
	if err != nil {
		return nil, err
	}
	ids := []int64{id}
	t := &topology{Company: c}
	g, gctx := errgroup.WithContext(ctx)
	g.Go(func() error {
		devs, err := u.svc.Network.EquipmentByCompanies(gctx, ids, codex.EquipmentFilter{}, 2000)
		if err == nil {
			t.Devices = devs[0]
		}
		return err
	})
	g.Go(func() error {
		links, err := u.svc.Network.LinksByCompanies(gctx, ids)
		if err == nil {
			t.Links = links[0]
		}
		return err
	})
	g.Go(func() error {
		subnets, err := u.svc.Network.SubnetsByCompanies(gctx, ids)
		if err == nil {
			t.Subnets = subnets[0]
		}
		return err
	})
	if err := g.Wait(); err != nil {
		return nil, err
	}
	return t, nil
}

type topologyPageData struct {
	Topology *topology
	SVG      template.HTML
	Names    map[int64]string
}

func (u *UI) topologyPage(w http.ResponseWriter, r *http.Request) {
	id, err := idParam(r)
	if err != nil {
		u.fail(w, r, err)
		return
	}
	t, err := u.loadTopology(r.Context(), id)
	if err != nil {
		u.fail(w, r, err)
		return
	}
	d := topologyPageData{Topology: t, Names: map[int64]string{}}
	for _, dv := range t.Devices {
		d.Names[dv.ID] = dv.Name
	}
	if len(t.Devices) > 0 {
		svg, err := u.topo.svg(r.Context(), t.dot(""))
		if err != nil {
			u.fail(w, r, err)
			return
		}
		// Graphviz escapes every label and attribute it writes; the labels come from our DOT.
		d.SVG = template.HTML(svg)
	}
	u.render(w, r, http.StatusOK, "topology", t.Company.Name+" network", "network", d)
}

// topologySVG and topologyDOT serve the picture and its source as downloads. Node links
// in the download are relative to its own URL (three levels below the root).
func (u *UI) topologySVG(w http.ResponseWriter, r *http.Request) {
	u.topologyFile(w, r, "image/svg+xml", "svg")
}

func (u *UI) topologyDOT(w http.ResponseWriter, r *http.Request) {
	u.topologyFile(w, r, "text/vnd.graphviz; charset=utf-8", "dot")
}

func (u *UI) topologyFile(w http.ResponseWriter, r *http.Request, contentType, ext string) {
	id, err := idParam(r)
	if err != nil {
		u.fail(w, r, err)
		return
	}
	t, err := u.loadTopology(r.Context(), id)
	if err != nil {
		u.fail(w, r, err)
		return
	}
	body := t.dot(relBase(r.URL.Path))
	if ext == "svg" {
		if body, err = u.topo.svg(r.Context(), body); err != nil {
			u.fail(w, r, err)
			return
		}
	}
	w.Header().Set("Content-Type", contentType)
	w.Header().Set("Content-Disposition", `attachment; filename="topology-`+strconv.FormatInt(id, 10)+`.`+ext+`"`)
	w.Write(body)
}

type equipmentPageData struct {
	Device  *codex.NetworkEquipment
	Company *codex.Company
	Links   []codex.LinkEnd
	Names   map[int64]string
	Peers   []*codex.NetworkEquipment // the company's other devices, to connect to
	Subnet  *codex.Subnet
	Form    *form
	// LinkError says why a link could not be disconnected.
	LinkError string
}

func (u *UI) equipmentPage(w http.ResponseWriter, r *http.Request) {
	id, err := idParam(r)
	if err != nil {
		u.fail(w, r, err)
		return
	}
	d, err := u.loadEquipmentPage(r.Context(), id)
	if err != nil {
		u.fail(w, r, err)
		return
	}
	u.render(w, r, http.StatusOK, "equipment", d.Device.Name, "network", d)
}

func (u *UI) loadEquipmentPage(ctx context.Context, id int64) (*equipmentPageData, error) {
	e, err := u.svc.Network.Equipment(ctx, id)
	if err != nil {
		return nil, err
	}
	d := &equipmentPageData{Device: e, Names: map[int64]string{}, Form: newForm()}
	d.Company, _ = u.svc.Companies.Company(ctx, e.CompanyID)
	if ls, err := u.svc.Network.LinksByDevices(ctx, []int64{id}); err == nil {
		d.Links = ls[0]
	}
	if peers, err := u.svc.Network.EquipmentByCompanies(ctx, []int64{e.CompanyID}, codex.EquipmentFilter{}, 2000); err == nil {
		for _, p := range peers[0] {
			d.Names[p.ID] = p.Name
			if p.ID != id {
				d.Peers = append(d.Peers, p)
			}
		}
	}
	if sn, err := u.svc.Network.SubnetsOfDevices(ctx, []int64{id}); err == nil {
		d.Subnet = sn[0]
	}
	return d, nil
}

// equipmentConnect links this device to another of the same company.
func (u *UI) equipmentConnect(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	id, err := idParam(r)
	if err != nil {
		u.fail(w, r, err)
		return
	}
	f := postedForm(r)
	peer, _ := strconv.ParseInt(f.Get("peer"), 10, 64)
	l := &codex.NetworkLink{AID: id, APort: strings.TrimSpace(f.Get("local_port")), BID: peer, BPort: strings.TrimSpace(f.Get("peer_port")),
		Kind: codex.LinkKind(f.Get("kind"))}
	if sp := f.optInt("speed"); sp != nil {
		l.SpeedMbps = *sp
	}
	if len(f.Errors) == 0 {
		if err := u.svc.Network.ConnectDevices(ctx, l); err != nil {
			f.fail(err)
		}
	}
	if len(f.Errors) > 0 || f.Message != "" {
		d, lerr := u.loadEquipmentPage(ctx, id)
		if lerr != nil {
			u.fail(w, r, lerr)
			return
		}
		d.Form = f
		u.render(w, r, statusOfForm(f), "equipment", d.Device.Name, "network", d)
		return
	}
	redirect(w, r, "network/equipment/"+strconv.FormatInt(id, 10)+"?flash=Connected.")
}

type equipmentFormData struct {
	Form    *form
	Device  *codex.NetworkEquipment
	Parents []string
	Types   []string
}

func (u *UI) equipmentForm(ctx context.Context, f *form, e *codex.NetworkEquipment) equipmentFormData {
	return equipmentFormData{Form: f, Device: e, Parents: u.pickerOptions(ctx), Types: []string{"router", "switch", "firewall", "access_point", "other"}}
}

func equipmentValues(f *form, e *codex.NetworkEquipment, company string) {
	v := f.Values
	v.Set("company", company)
	v.Set("name", e.Name)
	v.Set("type", string(e.Type))
	v.Set("status", e.Status)
	v.Set("ip_address", e.IPAddress)
	v.Set("mac_address", e.MACAddress)
	v.Set("manufacturer", e.Manufacturer)
	v.Set("model", e.Model)
	v.Set("serial", e.Serial)
	v.Set("firmware_version", e.FirmwareVersion)
	v.Set("location", e.Location)
	v.Set("management_url", e.ManagementURL)
	v.Set("notes", e.Notes)
	f.Version = version(e.UpdatedAt)
}

func (u *UI) equipmentNew(w http.ResponseWriter, r *http.Request) {
	f := newForm()
	f.Values.Set("type", "switch")
	f.Values.Set("status", "unknown")
	if id, err := strconv.ParseInt(r.URL.Query().Get("company"), 10, 64); err == nil {
		if c, err := u.svc.Companies.Company(r.Context(), id); err == nil {
			f.Values.Set("company", companyLabel(c))
		}
	}
	u.render(w, r, http.StatusOK, "equipmentform", "Add network device", "network", u.equipmentForm(r.Context(), f, nil))
}

func (u *UI) equipmentCreate(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	f := postedForm(r)
	e := &codex.NetworkEquipment{Name: strings.TrimSpace(f.Get("name")), Type: codex.EquipmentType(f.Get("type")), Status: f.Get("status"),
		IPAddress: strings.TrimSpace(f.Get("ip_address")), MACAddress: strings.TrimSpace(f.Get("mac_address")),
		Manufacturer: strings.TrimSpace(f.Get("manufacturer")), Model: strings.TrimSpace(f.Get("model")), Serial: strings.TrimSpace(f.Get("serial")),
		FirmwareVersion: strings.TrimSpace(f.Get("firmware_version")), Location: strings.TrimSpace(f.Get("location")),
		ManagementURL: strings.TrimSpace(f.Get("management_url")), Notes: f.Get("notes")}
	u.createUnder(ctx, f, func(id int64) { e.CompanyID = id }, func() error { return u.svc.Network.CreateEquipment(ctx, e) })
	if len(f.Errors) > 0 || f.Message != "" {
		u.render(w, r, statusOfForm(f), "equipmentform", "Add network device", "network", u.equipmentForm(ctx, f, nil))
		return
	}
	redirect(w, r, "network/equipment/"+strconv.FormatInt(e.ID, 10)+"?flash=Device+added.")
}

// equipmentEditor edits a network device.
func (u *UI) equipmentEditor() *editor[codex.NetworkEquipment, codex.EquipmentPatch] {
	return &editor[codex.NetworkEquipment, codex.EquipmentPatch]{
		u:         u,
		load:      withCompanyLabel(u, u.svc.Network.Equipment, func(x *codex.NetworkEquipment) int64 { return x.CompanyID }),
		values:    equipmentValues,
		updatedAt: func(e *codex.NetworkEquipment) time.Time { return e.UpdatedAt },
		render: func(w http.ResponseWriter, r *http.Request, status int, f *form, e *codex.NetworkEquipment) {
			u.render(w, r, status, "equipmentform", "Edit "+e.Name, "network", u.equipmentForm(r.Context(), f, e))
		},
		patch: func(ctx context.Context, f *form, e *codex.NetworkEquipment, label string) codex.EquipmentPatch {
			var p codex.EquipmentPatch
			p.CompanyID = u.movedTo(ctx, f, label, "choose the device's company")
			p.Name = f.str("name", e.Name)
			if t := f.str("type", string(e.Type)); t != nil {
				p.Type = ptr(codex.EquipmentType(*t))
			}
			p.Status = f.str("status", e.Status)
			p.IPAddress = f.str("ip_address", e.IPAddress)
			p.MACAddress = f.str("mac_address", e.MACAddress)
			p.Manufacturer = f.str("manufacturer", e.Manufacturer)
			p.Model = f.str("model", e.Model)
			p.Serial = f.str("serial", e.Serial)
			p.FirmwareVersion = f.str("firmware_version", e.FirmwareVersion)
			p.Location = f.str("location", e.Location)
			p.ManagementURL = f.str("management_url", e.ManagementURL)
			p.Notes = f.str("notes", e.Notes)
			return p
		},
		save: func(ctx context.Context, id int64, p codex.EquipmentPatch, version string) error {
			p.ExpectedVersion = version
			_, err := u.svc.Network.UpdateEquipment(ctx, id, p)
			return err
		},
		saved: func(e *codex.NetworkEquipment) string { return "network/equipment/" + strconv.FormatInt(e.ID, 10) },
	}
}

// subnetPageData is the subnet page's model: who uses which address, the free ranges and
// the addresses used twice.
type subnetPageData struct {
	Subnet     *codex.Subnet
	Company    *codex.Company
	Users      []codex.IPUser
	Free       []string
	Duplicates []codex.DuplicateIP
}

func (u *UI) subnetPage(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	id, err := idParam(r)
	if err != nil {
		u.fail(w, r, err)
		return
	}
	s, err := u.svc.Network.Subnet(ctx, id)
	if err != nil {
		u.fail(w, r, err)
		return
	}
	d := subnetPageData{Subnet: s}
	d.Company, _ = u.svc.Companies.Company(ctx, s.CompanyID)
	users, err := u.svc.Network.Inside(ctx, s.CompanyID, s.CIDR, nil)
	if err != nil {
		u.fail(w, r, err)
		return
	}
	d.Users = users
	prefix, _ := netip.ParsePrefix(s.CIDR)
	dups, err := u.svc.Network.DuplicateIPs(ctx, s.CompanyID, nil)
	if err == nil {
		for _, dup := range dups {
			if a, err := netip.ParseAddr(dup.IP); err == nil && prefix.Contains(a) {
				d.Duplicates = append(d.Duplicates, dup)
			}
		}
	}
	var used []netip.Addr
	for _, us := range users {
		if a, err := netip.ParseAddr(us.IP); err == nil {
			used = append(used, a)
		}
	}
	d.Free = freeRanges(prefix, used)
	u.render(w, r, http.StatusOK, "subnet", s.CIDR, "network", d)
}

// freeRanges lists the unused address ranges of an IPv4 prefix (network and broadcast
// addresses excluded), at most 50.
func freeRanges(p netip.Prefix, used []netip.Addr) []string {
	if !p.IsValid() || !p.Addr().Is4() {
		return nil
	}
	p = p.Masked()
	first := p.Addr()
	last := first
	for i := 0; i < (1<<(32-p.Bits()))-1; i++ {
		last = last.Next()
	}
	if p.Bits() <= 30 {
		first, last = first.Next(), last.Prev()
	}
	sort.Slice(used, func(i, j int) bool { return used[i].Less(used[j]) })
	var out []string
	add := func(a, b netip.Addr) {
		if len(out) >= 50 || b.Less(a) {
			return
		}
		if a == b {
			out = append(out, a.String())
		} else {
			out = append(out, a.String()+" – "+b.String())
		}
	}
	cur := first
	for _, a := range used {
		if a.Less(cur) || last.Less(a) {
			continue
		}
		if cur.Less(a) {
			add(cur, a.Prev())
		}
		cur = a.Next()
	}
	if !last.Less(cur) {
		add(cur, last)
	}
	return out
}
