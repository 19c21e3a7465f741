package graph

import (
	"context"

	"github.com/hivematrix/codex/codex"
	"github.com/hivematrix/codex/graph/model"
)

func equipmentKey(e *codex.NetworkEquipment) (int64, bool) { return e.ID, true }

// equipmentOf loads the device key(obj) for relation rel.
func equipmentOf[T any](ctx context.Context, r *Resolver, obj *T, rel string, key func(*T) (int64, bool)) (*codex.NetworkEquipment, error) {
	return optional(load(ctx, obj, rel, "", key, byIDs(loadersFrom(ctx), r.svc.Network.EquipmentByIDs)))
}

// ID is the global id.
func (r *networkEquipmentResolver) ID(_ context.Context, obj *codex.NetworkEquipment) (string, error) {
	return globalID(typeNetworkEquipment, obj.ID), nil
}

// Company loads the owning company.
func (r *networkEquipmentResolver) Company(ctx context.Context, obj *codex.NetworkEquipment) (*codex.Company, error) {
	return companyOf(ctx, r.Resolver, obj, "NetworkEquipment.company", func(e *codex.NetworkEquipment) (int64, bool) { return e.CompanyID, true })
}

// Location loads the site the device is at.
func (r *networkEquipmentResolver) Location(ctx context.Context, obj *codex.NetworkEquipment) (*codex.Location, error) {
	return locationOf(ctx, r.Resolver, obj, "NetworkEquipment.location",
		func(e *codex.NetworkEquipment) int64 { return e.CompanyID },
		func(e *codex.NetworkEquipment) *int64 { return e.LocationID })
}

// Links loads the device's links, seen from it.
func (r *networkEquipmentResolver) Links(ctx context.Context, obj *codex.NetworkEquipment) ([]*codex.LinkEnd, error) {
	return load(ctx, obj, "NetworkEquipment.links", "", equipmentKey, byParentsValues(loadersFrom(ctx), r.svc.Network.LinksByDevices))
}

// Subnet loads the narrowest subnet holding the device's address.
func (r *networkEquipmentResolver) Subnet(ctx context.Context, obj *codex.NetworkEquipment) (*codex.Subnet, error) {
	l := loadersFrom(ctx)
	return load(ctx, obj, "NetworkEquipment.subnet", "", equipmentKey,
		perKey(func(ctx context.Context, ids []int64) ([]*codex.Subnet, error) {
			subnets, err := r.svc.Network.SubnetsOfDevices(ctx, ids)
			return remember(l, subnets), err
		}))
}

// ID is the link's global id.
func (r *linkEndResolver) ID(_ context.Context, obj *codex.LinkEnd) (string, error) {
	return globalID(typeNetworkLink, obj.LinkID), nil
}

// Peer loads the device at the other end.
func (r *linkEndResolver) Peer(ctx context.Context, obj *codex.LinkEnd) (*codex.NetworkEquipment, error) {
	return equipmentOf(ctx, r.Resolver, obj, "LinkEnd.peer", func(l *codex.LinkEnd) (int64, bool) { return l.PeerID, true })
}

// ID is the global id.
func (r *networkLinkResolver) ID(_ context.Context, obj *codex.NetworkLink) (string, error) {
	return globalID(typeNetworkLink, obj.ID), nil
}

// Company loads the company.
func (r *networkLinkResolver) Company(ctx context.Context, obj *codex.NetworkLink) (*codex.Company, error) {
	return companyOf(ctx, r.Resolver, obj, "NetworkLink.company", func(l *codex.NetworkLink) (int64, bool) { return l.CompanyID, true })
}

// A loads one end.
func (r *networkLinkResolver) A(ctx context.Context, obj *codex.NetworkLink) (*codex.NetworkEquipment, error) {
	return equipmentOf(ctx, r.Resolver, obj, "NetworkLink.a", func(l *codex.NetworkLink) (int64, bool) { return l.AID, true })
}

// B loads the other end.
func (r *networkLinkResolver) B(ctx context.Context, obj *codex.NetworkLink) (*codex.NetworkEquipment, error) {
	return equipmentOf(ctx, r.Resolver, obj, "NetworkLink.b", func(l *codex.NetworkLink) (int64, bool) { return l.BID, true })
}

func subnetItself(s *codex.Subnet) (*codex.Subnet, bool) { return s, true }

// ID is the global id.
func (r *subnetResolver) ID(_ context.Context, obj *codex.Subnet) (string, error) {
	return globalID(typeSubnet, obj.ID), nil
}

// Company loads the owning company.
func (r *subnetResolver) Company(ctx context.Context, obj *codex.Subnet) (*codex.Company, error) {
	return companyOf(ctx, r.Resolver, obj, "Subnet.company", func(s *codex.Subnet) (int64, bool) { return s.CompanyID, true })
}

// Location loads the site the network is at.
func (r *subnetResolver) Location(ctx context.Context, obj *codex.Subnet) (*codex.Location, error) {
	return locationOf(ctx, r.Resolver, obj, "Subnet.location",
		func(s *codex.Subnet) int64 { return s.CompanyID },
		func(s *codex.Subnet) *int64 { return s.LocationID })
}

// Devices lists the company's devices inside the subnet (one statement per subnet).
func (r *subnetResolver) Devices(ctx context.Context, obj *codex.Subnet) ([]*codex.NetworkEquipment, error) {
	l := loadersFrom(ctx)
	return load(ctx, obj, "Subnet.devices", "", subnetItself,
		eachKey(func(ctx context.Context, s *codex.Subnet) ([]*codex.NetworkEquipment, error) {
			n := r.opts.MaxPageSize
			pg, err := r.svc.Network.EquipmentList(ctx, codex.EquipmentFilter{CompanyID: &s.CompanyID, IPIn: s.CIDR}, codex.PageArgs{First: &n})
			if err != nil {
				return nil, err
			}
			return remember(l, pg.Items), nil
		}))
}

// Assets lists the company's assets inside the subnet (one statement per subnet).
func (r *subnetResolver) Assets(ctx context.Context, obj *codex.Subnet) ([]*codex.Asset, error) {
	l := loadersFrom(ctx)
	return load(ctx, obj, "Subnet.assets", "", subnetItself,
		eachKey(func(ctx context.Context, s *codex.Subnet) ([]*codex.Asset, error) {
			n := r.opts.MaxPageSize
			pg, err := r.svc.Assets.Assets(ctx, codex.AssetFilter{CompanyID: &s.CompanyID, IPIn: s.CIDR}, codex.PageArgs{First: &n})
			if err != nil {
				return nil, err
			}
			return remember(l, pg.Items), nil
		}))
}

// Company loads the company of a duplicate address.
func (r *duplicateIPResolver) Company(ctx context.Context, obj *codex.DuplicateIP) (*codex.Company, error) {
	return optional(companyOf(ctx, r.Resolver, obj, "DuplicateIP.company", func(d *codex.DuplicateIP) (int64, bool) { return d.CompanyID, true }))
}

// ipUserType is the GraphQL type of an address holder's kind.
func ipUserType(kind string) string {
	if kind == "asset" {
		return typeAsset
	}
	return typeNetworkEquipment
}

// ID is the holder's global id.
func (r *ipUserResolver) ID(_ context.Context, obj *codex.IPUser) (string, error) {
	return globalID(ipUserType(obj.Kind), obj.ID), nil
}

// Holder loads the holder: an asset or a network device.
func (r *ipUserResolver) Holder(ctx context.Context, obj *codex.IPUser) (model.IPHolder, error) {
	return r.Node(ctx, obj)
}

// Node loads the holder.
func (r *ipUserResolver) Node(ctx context.Context, obj *codex.IPUser) (model.Node, error) {
	if ipUserType(obj.Kind) == typeAsset {
		a, err := optional(load(ctx, obj, "IPUser.asset", "", func(u *codex.IPUser) (int64, bool) { return u.ID, u.Kind == "asset" },
			byIDs(loadersFrom(ctx), r.svc.Assets.AssetsByIDs)))
		if a == nil {
			return nil, err
		}
		return a, err
	}
	e, err := optional(load(ctx, obj, "IPUser.equipment", "", func(u *codex.IPUser) (int64, bool) { return u.ID, u.Kind != "asset" },
		byIDs(loadersFrom(ctx), r.svc.Network.EquipmentByIDs)))
	if e == nil {
		return nil, err
	}
	return e, err
}

// equipmentFilter turns GraphQL equipment filter and order into a codex filter.
func equipmentFilter(in *model.NetworkEquipmentFilter, o *model.NetworkEquipmentOrder) (codex.EquipmentFilter, error) {
	var f codex.EquipmentFilter
	if o != nil {
		f.Order = order(&o.Field, o.Direction.Value())
	}
	if in == nil {
		return f, nil
	}
	var v ids
	f.Search = val(in.Search)
	f.CompanyID = v.opt("filter.companyId", typeCompany, in.CompanyID.Value())
	f.SubtreeOf = v.opt("filter.subtreeOf", typeCompany, in.SubtreeOf.Value())
	f.Type = in.Type.Value()
	f.Status = valuesOf(in.Status.Value())
	f.IPIn = val(in.IPIn)
	f.IncludeArchived = val(in.IncludeArchived)
	return f, v.err()
}

// NetworkEquipment lists devices.
func (r *queryResolver) NetworkEquipment(ctx context.Context, first *int, after *string, last *int, before *string,
	filter *model.NetworkEquipmentFilter, orderBy *model.NetworkEquipmentOrder) (*model.NetworkEquipmentConnection, error) {
	f, err := equipmentFilter(filter, orderBy)
	if err != nil {
		return nil, err
	}
	p, err := r.pageArgs(ctx, first, after, last, before)
	if err != nil {
		return nil, err
	}
	pg, err := r.svc.Network.EquipmentList(ctx, f, p)
	if err != nil {
		return nil, err
	}
	return equipmentConnection(fromPage(ctx, pg)), nil
}

// DuplicateIPs finds addresses held more than once within a company.
func (r *queryResolver) DuplicateIPs(ctx context.Context, companyID *string) ([]*codex.DuplicateIP, error) {
	var v ids
	company := v.opt("companyId", typeCompany, companyID)
	if err := v.err(); err != nil {
		return nil, err
	}
	dups, err := r.svc.Network.DuplicateIPs(ctx, orZero(company), nil)
	if err != nil {
		return nil, err
	}
	out := make([]*codex.DuplicateIP, len(dups))
	for i := range dups {
		out[i] = &dups[i]
	}
	return remember(loadersFrom(ctx), out), nil
}

// Inside lists the devices and assets with an address inside a prefix.
func (r *queryResolver) Inside(ctx context.Context, cidr string, companyID *string) ([]*codex.IPUser, error) {
	var v ids
	company := v.opt("companyId", typeCompany, companyID)
	if _, err := codex.ParseCIDR(cidr); err != nil {
		v.Add("cidr", "%q is not a CIDR prefix", cidr)
	}
	if err := v.err(); err != nil {
		return nil, err
	}
	users, err := r.svc.Network.Inside(ctx, orZero(company), cidr, nil)
	if err != nil {
		return nil, err
	}
	out := make([]*codex.IPUser, len(users))
	for i := range users {
		out[i] = &users[i]
	}
	return remember(loadersFrom(ctx), out), nil
}

// CreateNetworkEquipment creates a device.
func (r *mutationResolver) CreateNetworkEquipment(ctx context.Context, in model.CreateNetworkEquipmentInput) (*model.NetworkEquipmentPayload, error) {
	var v ids
	e := &codex.NetworkEquipment{
		CompanyID:       v.of("companyId", typeCompany, in.CompanyID),
		Name:            in.Name,
		Type:            val(in.Type),
		IPAddress:       val(in.IPAddress),
		MACAddress:      val(in.MacAddress),
		Manufacturer:    val(in.Manufacturer),
		Model:           val(in.Model),
		Serial:          val(in.Serial),
		FirmwareVersion: val(in.FirmwareVersion),
		Location:        val(in.LocationName),
		LocationID:      v.opt("locationId", typeLocation, in.LocationID.Value()),
		ManagementURL:   val(in.ManagementURL),
		Status:          val(in.Status),
		Notes:           val(in.Notes),
	}
	if err := v.err(); err != nil {
		return nil, err
	}
	if err := r.svc.Network.CreateEquipment(ctx, e); err != nil {
		return nil, err
	}
	return &model.NetworkEquipmentPayload{NetworkEquipment: one(ctx, e)}, nil
}

// UpdateNetworkEquipment changes a device.
func (r *mutationResolver) UpdateNetworkEquipment(ctx context.Context, in model.UpdateNetworkEquipmentInput) (*model.NetworkEquipmentPayload, error) {
	var v ids
	id := v.of("id", typeNetworkEquipment, in.ID)
	p := codex.EquipmentPatch{
		Name:            required(&v, "name", in.Name),
		Type:            required(&v, "type", in.Type),
		IPAddress:       patch(in.IPAddress),
		MACAddress:      patch(in.MacAddress),
		Manufacturer:    patch(in.Manufacturer),
		Model:           patch(in.Model),
		Serial:          patch(in.Serial),
		FirmwareVersion: patch(in.FirmwareVersion),
		Location:        patch(in.LocationName),
		LocationID:      v.omit("locationId", typeLocation, in.LocationID),
		ManagementURL:   patch(in.ManagementURL),
		Status:          required(&v, "status", in.Status),
		LastSeen:        nullable(in.LastSeen),
		Notes:           patch(in.Notes),
	}
	p.ExpectedVersion = val(in.ExpectedVersion)

	if s, set := in.CompanyID.ValueOK(); set {
		if s == nil {
			v.Add("companyId", "cannot be null")
		} else {
			p.CompanyID = v.opt("companyId", typeCompany, s)
		}
	}
	if err := v.err(); err != nil {
		return nil, err
	}
	e, err := r.svc.Network.UpdateEquipment(ctx, id, p)
	if err != nil {
		return nil, err
	}
	return &model.NetworkEquipmentPayload{NetworkEquipment: one(ctx, e)}, nil
}

// ArchiveNetworkEquipment archives a device.
func (r *mutationResolver) ArchiveNetworkEquipment(ctx context.Context, in model.ByIDInput) (*model.NetworkEquipmentPayload, error) {
	e, err := byID(ctx, in, typeNetworkEquipment, r.svc.Network.ArchiveEquipment)
	if err != nil {
		return nil, err
	}
	return &model.NetworkEquipmentPayload{NetworkEquipment: e}, nil
}

// RestoreNetworkEquipment restores an archived device.
func (r *mutationResolver) RestoreNetworkEquipment(ctx context.Context, in model.ByIDInput) (*model.NetworkEquipmentPayload, error) {
	e, err := byID(ctx, in, typeNetworkEquipment, r.svc.Network.RestoreEquipment)
	if err != nil {
		return nil, err
	}
	return &model.NetworkEquipmentPayload{NetworkEquipment: e}, nil
}

// ConnectDevices links two devices.
func (r *mutationResolver) ConnectDevices(ctx context.Context, in model.ConnectDevicesInput) (*model.NetworkLinkPayload, error) {
	var v ids
	l := &codex.NetworkLink{
		AID:       v.of("aId", typeNetworkEquipment, in.AID),
		APort:     val(in.APort),
		BID:       v.of("bId", typeNetworkEquipment, in.BID),
		BPort:     val(in.BPort),
		Kind:      val(in.Kind),
		SpeedMbps: val(in.Speed),
	}
	if err := v.err(); err != nil {
		return nil, err
	}
	if err := r.svc.Network.ConnectDevices(ctx, l); err != nil {
		return nil, err
	}
	return &model.NetworkLinkPayload{NetworkLink: one(ctx, l)}, nil
}

// DisconnectDevices removes a link.
func (r *mutationResolver) DisconnectDevices(ctx context.Context, in model.ByIDInput) (*model.DisconnectDevicesPayload, error) {
	var v ids
	id := v.of("id", typeNetworkLink, in.ID)
	if err := v.err(); err != nil {
		return nil, err
	}
	if err := r.svc.Network.DisconnectDevices(ctx, id); err != nil {
		return nil, err
	}
	return &model.DisconnectDevicesPayload{DeletedLinkID: in.ID}, nil
}

// CreateSubnet creates a subnet.
func (r *mutationResolver) CreateSubnet(ctx context.Context, in model.CreateSubnetInput) (*model.SubnetPayload, error) {
	var v ids
	s := &codex.Subnet{
		CompanyID:   v.of("companyId", typeCompany, in.CompanyID),
		CIDR:        in.Cidr,
		VLAN:        in.Vlan.Value(),
		Gateway:     val(in.Gateway),
		Description: val(in.Description),
		LocationID:  v.opt("locationId", typeLocation, in.LocationID.Value()),
	}
	if err := v.err(); err != nil {
		return nil, err
	}
	if err := r.svc.Network.CreateSubnet(ctx, s); err != nil {
		return nil, err
	}
	return &model.SubnetPayload{Subnet: one(ctx, s)}, nil
}

// UpdateSubnet changes a subnet.
func (r *mutationResolver) UpdateSubnet(ctx context.Context, in model.UpdateSubnetInput) (*model.SubnetPayload, error) {
	var v ids
	id := v.of("id", typeSubnet, in.ID)
	p := codex.SubnetPatch{
		CIDR:        required(&v, "cidr", in.Cidr),
		VLAN:        nullable(in.Vlan),
		Gateway:     patch(in.Gateway),
		Description: patch(in.Description),
		LocationID:  v.omit("locationId", typeLocation, in.LocationID),
	}
	p.ExpectedVersion = val(in.ExpectedVersion)

	if err := v.err(); err != nil {
		return nil, err
	}
	s, err := r.svc.Network.UpdateSubnet(ctx, id, p)
	if err != nil {
		return nil, err
	}
	return &model.SubnetPayload{Subnet: one(ctx, s)}, nil
}

// ArchiveSubnet archives a subnet.
func (r *mutationResolver) ArchiveSubnet(ctx context.Context, in model.ByIDInput) (*model.SubnetPayload, error) {
	s, err := byID(ctx, in, typeSubnet, r.svc.Network.ArchiveSubnet)
	if err != nil {
		return nil, err
	}
	return &model.SubnetPayload{Subnet: s}, nil
}
