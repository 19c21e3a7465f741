package policy

import (
	"context"

	"github.com/hivematrix/codex/codex"
)

func (s *service) Equipment(ctx context.Context, id int64) (*codex.NetworkEquipment, error) {
	p, sc, err := s.readScope(ctx, codex.ResNetwork)
	if err != nil {
		return nil, err
	}
	e, err := s.in.Network.Equipment(ctx, id)
	if err != nil {
		return nil, err
	}
	if !inScope(sc, e.CompanyID) {
		return nil, notFound("network equipment", id)
	}
	return e, s.redactEquipment(ctx, p, e)
}

func (s *service) EquipmentByIDs(ctx context.Context, ids []int64) ([]*codex.NetworkEquipment, []error) {
	p, sc, err := s.readScope(ctx, codex.ResNetwork)
	if err != nil {
		return nil, repeat(err, len(ids))
	}
	es, errs := s.in.Network.EquipmentByIDs(ctx, ids)
	for i, e := range es {
		if e != nil && !inScope(sc, e.CompanyID) {
			if errs == nil {
				errs = make([]error, len(ids))
			}
			es[i], errs[i] = nil, notFound("network equipment", ids[i])
		}
	}
	if err := s.redactEquipment(ctx, p, es...); err != nil {
		return nil, repeat(err, len(ids))
	}
	return es, errs
}

func (s *service) EquipmentList(ctx context.Context, f codex.EquipmentFilter, pa codex.PageArgs) (*codex.Page[codex.NetworkEquipment], error) {
	p, sc, err := s.readScope(ctx, codex.ResNetwork)
	if err != nil {
		return nil, err
	}
	f.Scope = narrow(f.Scope, sc)
	page, err := s.in.Network.EquipmentList(ctx, f, pa)
	if err != nil {
		return nil, err
	}
	return page, s.redactEquipment(ctx, p, page.Items...)
}

func (s *service) EachEquipment(ctx context.Context, f codex.EquipmentFilter, fn func(*codex.NetworkEquipment) error) error {
	p, sc, err := s.readScope(ctx, codex.ResNetwork)
	if err != nil {
		return err
	}
	f.Scope = narrow(f.Scope, sc)
	return s.in.Network.EachEquipment(ctx, f, func(e *codex.NetworkEquipment) error {
		if err := s.redactEquipment(ctx, p, e); err != nil {
			return err
		}
		return fn(e)
	})
}

func (s *service) EquipmentByCompanies(ctx context.Context, companyIDs []int64, f codex.EquipmentFilter, limit int) ([][]*codex.NetworkEquipment, error) {
	p, sc, err := s.readScope(ctx, codex.ResNetwork)
	if err != nil {
		return nil, err
	}
	groups, err := s.in.Network.EquipmentByCompanies(ctx, visibleKeys(sc, companyIDs), f, limit)
	if err != nil {
		return nil, err
	}
	return groups, s.redactEquipment(ctx, p, flatten(groups)...)
}

func (s *service) CountEquipmentByCompanies(ctx context.Context, companyIDs []int64, f codex.EquipmentFilter) ([]int, error) {
	_, sc, err := s.readScope(ctx, codex.ResNetwork)
	if err != nil {
		return nil, err
	}
	return s.in.Network.CountEquipmentByCompanies(ctx, visibleKeys(sc, companyIDs), f)
}

func (s *service) CreateEquipment(ctx context.Context, e *codex.NetworkEquipment) error {
	if _, err := allow(ctx, codex.Write, codex.ResNetwork); err != nil {
		return err
	}
	return s.in.Network.CreateEquipment(ctx, e)
}

func (s *service) UpdateEquipment(ctx context.Context, id int64, patch codex.EquipmentPatch) (*codex.NetworkEquipment, error) {
	if _, err := allow(ctx, codex.Write, codex.ResNetwork); err != nil {
		return nil, err
	}
	return s.in.Network.UpdateEquipment(ctx, id, patch)
}

func (s *service) ArchiveEquipment(ctx context.Context, id int64) (*codex.NetworkEquipment, error) {
	if _, err := allow(ctx, codex.Write, codex.ResNetwork); err != nil {
		return nil, err
	}
	return s.in.Network.ArchiveEquipment(ctx, id)
}

func (s *service) RestoreEquipment(ctx context.Context, id int64) (*codex.NetworkEquipment, error) {
	if _, err := allow(ctx, codex.Write, codex.ResNetwork); err != nil {
		return nil, err
	}
	return s.in.Network.RestoreEquipment(ctx, id)
}

func (s *service) LinksByDevices(ctx context.Context, deviceIDs []int64) ([][]codex.LinkEnd, error) {
	_, sc, err := s.readScope(ctx, codex.ResNetwork)
	if err != nil {
		return nil, err
	}
	if sc == nil {
		return s.in.Network.LinksByDevices(ctx, deviceIDs)
	}
	// Links join devices of one company, so a visible device's links are visible.
	devs, _ := s.EquipmentByIDs(ctx, deviceIDs)
	keys := make([]int64, len(deviceIDs))
	for i, d := range devs {
		if d != nil {
			keys[i] = deviceIDs[i]
		}
	}
	return s.in.Network.LinksByDevices(ctx, keys)
}

func (s *service) LinksByCompanies(ctx context.Context, companyIDs []int64) ([][]*codex.NetworkLink, error) {
	_, sc, err := s.readScope(ctx, codex.ResNetwork)
	if err != nil {
		return nil, err
	}
	return s.in.Network.LinksByCompanies(ctx, visibleKeys(sc, companyIDs))
}

func (s *service) ConnectDevices(ctx context.Context, l *codex.NetworkLink) error {
	if _, err := allow(ctx, codex.Write, codex.ResNetwork); err != nil {
		return err
	}
	return s.in.Network.ConnectDevices(ctx, l)
}

func (s *service) DisconnectDevices(ctx context.Context, linkID int64) error {
	if _, err := allow(ctx, codex.Write, codex.ResNetwork); err != nil {
		return err
	}
	return s.in.Network.DisconnectDevices(ctx, linkID)
}

func (s *service) Subnet(ctx context.Context, id int64) (*codex.Subnet, error) {
	_, sc, err := s.readScope(ctx, codex.ResNetwork)
	if err != nil {
		return nil, err
	}
	sn, err := s.in.Network.Subnet(ctx, id)
	if err != nil {
		return nil, err
	}
	if !inScope(sc, sn.CompanyID) {
		return nil, notFound("subnet", id)
	}
	return sn, nil
}

func (s *service) SubnetsByCompanies(ctx context.Context, companyIDs []int64) ([][]*codex.Subnet, error) {
	_, sc, err := s.readScope(ctx, codex.ResNetwork)
	if err != nil {
		return nil, err
	}
	return s.in.Network.SubnetsByCompanies(ctx, visibleKeys(sc, companyIDs))
}

func (s *service) CreateSubnet(ctx context.Context, sn *codex.Subnet) error {
	if _, err := allow(ctx, codex.Write, codex.ResNetwork); err != nil {
		return err
	}
	return s.in.Network.CreateSubnet(ctx, sn)
}

func (s *service) UpdateSubnet(ctx context.Context, id int64, patch codex.SubnetPatch) (*codex.Subnet, error) {
	if _, err := allow(ctx, codex.Write, codex.ResNetwork); err != nil {
		return nil, err
	}
	return s.in.Network.UpdateSubnet(ctx, id, patch)
}

func (s *service) ArchiveSubnet(ctx context.Context, id int64) (*codex.Subnet, error) {
	if _, err := allow(ctx, codex.Write, codex.ResNetwork); err != nil {
		return nil, err
	}
	return s.in.Network.ArchiveSubnet(ctx, id)
}

func (s *service) SubnetsOfDevices(ctx context.Context, deviceIDs []int64) ([]*codex.Subnet, error) {
	_, sc, err := s.readScope(ctx, codex.ResNetwork)
	if err != nil {
		return nil, err
	}
	subnets, err := s.in.Network.SubnetsOfDevices(ctx, deviceIDs)
	if err != nil {
		return nil, err
	}
	for i, sn := range subnets {
		if sn != nil && !inScope(sc, sn.CompanyID) {
			subnets[i] = nil
		}
	}
	return subnets, nil
}

func (s *service) Inside(ctx context.Context, companyID int64, cidr string, scope []int64) ([]codex.IPUser, error) {
	_, sc, err := s.readScope(ctx, codex.ResNetwork)
	if err != nil {
		return nil, err
	}
	if companyID > 0 && !inScope(sc, companyID) {
		return nil, notFound("company", companyID)
	}
	return s.in.Network.Inside(ctx, companyID, cidr, narrow(scope, sc))
}

func (s *service) DuplicateIPs(ctx context.Context, companyID int64, scope []int64) ([]codex.DuplicateIP, error) {
	_, sc, err := s.readScope(ctx, codex.ResNetwork)
	if err != nil {
		return nil, err
	}
	if companyID > 0 && !inScope(sc, companyID) {
		return nil, notFound("company", companyID)
	}
	return s.in.Network.DuplicateIPs(ctx, companyID, narrow(scope, sc))
}
