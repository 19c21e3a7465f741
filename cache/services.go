package cache

import (
	"context"
	"encoding/json"
	"strconv"
	"strings"

	"github.com/hivematrix/codex/codex"
	"github.com/hivematrix/codex/store"
)

// Services returns svc with its hot reads served from the cache: rows by id, children,
// contacts, assets and equipment by company (and their counts), links by device, the tree
// reads of a company, the agent of an e-mail address, and filtered pages of companies and
// contacts (lists and searches, dropped by any change of their table). Everything else, writes
// included, goes to svc. A nil Cache returns svc (the switch off).
func (c *Cache) Services(svc codex.Services) codex.Services {
	if c == nil {
		return svc
	}
	svc.Companies = &companies{CompanyService: svc.Companies, c: c}
	svc.Contacts = &contacts{ContactService: svc.Contacts, c: c}
	svc.Assets = &assets{AssetService: svc.Assets, c: c}
	svc.Network = &network{NetworkService: svc.Network, c: c}
	svc.Agents = &agents{AgentService: svc.Agents, c: c}
	return svc
}

// maxScope is the largest scope (a client's companies) whose lists are cached: each of
// its companies is a tag of the entry.
const maxScope = 64

// lookup serves a batch read by keys: the cached keys from the cache, the others with one
// call of load (whose results, but not its errors, it caches). tags names what the entry
// of a key depends on, args every other argument that changes the result. The caller gets
// values no one else holds.
func lookup[V any](c *Cache, method string, keys []int64, args string, tags func(k int64) []string,
	load func(keys []int64) ([]V, []error, error)) ([]V, []error, error) {
	if !c.enabled() || len(keys) == 0 {
		return load(keys)
	}
	st := c.methods[method]
	key := func(k int64) string { return method + "\x00" + strconv.FormatInt(k, 10) + "\x00" + args }
	out := make([]V, len(keys))
	var miss []int64
	var at []int
	for i, k := range keys {
		if v, ok := c.get(st, key(k)); ok {
			out[i] = clone(v.(V))
			continue
		}
		miss, at = append(miss, k), append(at, i)
	}
	if len(miss) == 0 {
		return out, nil, nil
	}
	snaps := make([]snapshot, len(miss))
	for j, k := range miss {
		snaps[j] = c.snapshot(tags(k))
	}
	vals, errs, err := load(miss)
	if err != nil {
		return nil, nil, err
	}
	if c.afterLoad != nil {
		c.afterLoad(method)
	}
	var outErrs []error
	for j, k := range miss {
		if errs != nil && errs[j] != nil {
			if outErrs == nil {
				outErrs = make([]error, len(keys))
			}
			outErrs[at[j]] = errs[j]
			continue
		}
		c.put(key(k), clone(vals[j]), snaps[j])
		out[at[j]] = vals[j]
	}
	return out, outErrs, nil
}

// lists adapts a per-key list read (one error for the batch) to lookup.
func lists[V any](c *Cache, method string, keys []int64, args string, tags func(k int64) []string,
	load func(keys []int64) ([]V, error)) ([]V, error) {
	out, _, err := lookup(c, method, keys, args, tags, func(keys []int64) ([]V, []error, error) {
		v, err := load(keys)
		return v, nil, err
	})
	return out, err
}

// one serves a single-key read.
func one[V any](c *Cache, method string, key int64, args string, tags func(k int64) []string,
	load func() (V, error)) (V, error) {
	out, errs, err := lookup(c, method, []int64{key}, args, tags, func([]int64) ([]V, []error, error) {
		v, err := load()
		if err != nil {
			return nil, []error{err}, nil
		}
		return []V{v}, nil, nil
	})
	if err == nil && errs != nil {
		err = errs[0]
	}
	if err != nil {
		var zero V
		return zero, err
	}
	return out[0], nil
}

// argsOf is the cache key part of a read's other arguments.
func argsOf(v ...any) string {
	b, err := json.Marshal(v)
	if err != nil {
		panic("cache: arguments: " + err.Error()) // the filters are plain data
	}
	return string(b)
}

// tagsOf returns a tag function: the key's tag after prefix, and the fixed tags.
func tagsOf(prefix string, fixed ...string) func(int64) []string {
	return func(k int64) []string {
		return append([]string{prefix + strconv.FormatInt(k, 10)}, fixed...)
	}
}

// withScope adds the tags of the companies of a scope to a tag function.
func withScope(tags func(int64) []string, prefix string, scope []int64) func(int64) []string {
	if len(scope) == 0 {
		return tags
	}
	return func(k int64) []string {
		t := tags(k)
		for _, s := range scope {
			t = append(t, prefix+strconv.FormatInt(s, 10))
		}
		return t
	}
}

type companies struct {
	codex.CompanyService
	c *Cache
}

var companyTags = tagsOf("companies#", store.TableTag("companies"))

func (s *companies) Company(ctx context.Context, id int64) (*codex.Company, error) {
	return one(s.c, "Company", id, "", companyTags, func() (*codex.Company, error) {
		return s.CompanyService.Company(ctx, id)
	})
}

func (s *companies) CompaniesByIDs(ctx context.Context, ids []int64) ([]*codex.Company, []error) {
	out, errs, err := lookup(s.c, "CompaniesByIDs", ids, "", companyTags, func(ids []int64) ([]*codex.Company, []error, error) {
		v, errs := s.CompanyService.CompaniesByIDs(ctx, ids)
		return v, errs, nil
	})
	if err != nil { // not reached: loads report per-key errors
		errs = make([]error, len(ids))
		for i := range errs {
			errs[i] = err
		}
	}
	return out, errs
}

func (s *companies) ChildrenByParents(ctx context.Context, parentIDs []int64, limit int, columns []string) ([][]*codex.Company, error) {
	return lists(s.c, "ChildrenByParents", parentIDs, argsOf(limit, columns), tagsOf("companies.parent#", store.TableTag("companies")),
		func(ids []int64) ([][]*codex.Company, error) {
			return s.CompanyService.ChildrenByParents(ctx, ids, limit, columns)
		})
}

// pageTags returns the tags of a filtered page of table: its rows are known only after
// the query, so any change of the table drops it (and of the company tree, for a filter
// that reads it).
func pageTags(table string, readsTree bool) func(int64) []string {
	tags := []string{store.AnyTag(table), store.TableTag(table)}
	if readsTree && table != "companies" {
		tags = append(tags, store.AnyTag("companies"), store.TableTag("companies"))
	}
	return func(int64) []string { return tags }
}

// Companies serves a filtered page of companies (the lists, a search).
func (s *companies) Companies(ctx context.Context, f codex.CompanyFilter, p codex.PageArgs) (*codex.Page[codex.Company], error) {
	return one(s.c, "Companies", 0, argsOf(f, p), pageTags("companies", false), func() (*codex.Page[codex.Company], error) {
		return s.CompanyService.Companies(ctx, f, p)
	})
}

// The tree reads depend on every company (their rows are only known after the query).
var treeTags = func(int64) []string { return []string{"companies.any", store.TableTag("companies")} }

func (s *companies) Ancestors(ctx context.Context, id int64) ([]*codex.Company, error) {
	return one(s.c, "Ancestors", id, "", treeTags, func() ([]*codex.Company, error) {
		return s.CompanyService.Ancestors(ctx, id)
	})
}

func (s *companies) Descendants(ctx context.Context, id int64, maxDepth int) ([]*codex.Company, error) {
	return one(s.c, "Descendants", id, argsOf(maxDepth), treeTags, func() ([]*codex.Company, error) {
		return s.CompanyService.Descendants(ctx, id, maxDepth)
	})
}

func (s *companies) EffectiveSettings(ctx context.Context, id int64) (map[string]string, error) {
	return one(s.c, "EffectiveSettings", id, "", treeTags, func() (map[string]string, error) {
		return s.CompanyService.EffectiveSettings(ctx, id)
	})
}

type contacts struct {
	codex.ContactService
	c *Cache
}

// Contacts serves a filtered page of contacts (the assistant's search, the lists). A
// company or subtree filter reads contact_companies, which counts as contacts; a subtree
// filter reads the company tree too.
func (s *contacts) Contacts(ctx context.Context, f codex.ContactFilter, p codex.PageArgs) (*codex.Page[codex.Contact], error) {
	return one(s.c, "Contacts", 0, argsOf(f, p), pageTags("contacts", f.SubtreeOf != nil), func() (*codex.Page[codex.Contact], error) {
		return s.ContactService.Contacts(ctx, f, p)
	})
}

func (s *contacts) ContactsByIDs(ctx context.Context, ids []int64) ([]*codex.Contact, []error) {
	out, errs, _ := lookup(s.c, "ContactsByIDs", ids, "", tagsOf("contacts#", store.TableTag("contacts")),
		func(ids []int64) ([]*codex.Contact, []error, error) {
			v, errs := s.ContactService.ContactsByIDs(ctx, ids)
			return v, errs, nil
		})
	return out, errs
}

// contactsCacheable reports whether a contact list's entries can name what they depend
// on: a subtree or a search reads other rows than the company's and its scope's.
func contactsCacheable(f codex.ContactFilter) bool {
	return f.SubtreeOf == nil && f.Search == "" && len(f.Scope) <= maxScope
}

func contactTags(f codex.ContactFilter) func(int64) []string {
	return withScope(tagsOf("contacts.company#", store.TableTag("contacts")), "contacts.company#", f.Scope)
}

func (s *contacts) ContactsByCompanies(ctx context.Context, companyIDs []int64, f codex.ContactFilter, limit int) ([][]*codex.Contact, error) {
	if !contactsCacheable(f) {
		return s.ContactService.ContactsByCompanies(ctx, companyIDs, f, limit)
	}
	return lists(s.c, "ContactsByCompanies", companyIDs, argsOf(f, limit), contactTags(f), func(ids []int64) ([][]*codex.Contact, error) {
		return s.ContactService.ContactsByCompanies(ctx, ids, f, limit)
	})
}

func (s *contacts) CountContactsByCompanies(ctx context.Context, companyIDs []int64, f codex.ContactFilter) ([]int, error) {
	if !contactsCacheable(f) {
		return s.ContactService.CountContactsByCompanies(ctx, companyIDs, f)
	}
	return lists(s.c, "CountContactsByCompanies", companyIDs, argsOf(f), contactTags(f), func(ids []int64) ([]int, error) {
		return s.ContactService.CountContactsByCompanies(ctx, ids, f)
	})
}

type assets struct {
	codex.AssetService
	c *Cache
}

func (s *assets) AssetsByIDs(ctx context.Context, ids []int64) ([]*codex.Asset, []error) {
	out, errs, _ := lookup(s.c, "AssetsByIDs", ids, "", tagsOf("assets#", store.TableTag("assets")),
		func(ids []int64) ([]*codex.Asset, []error, error) {
			v, errs := s.AssetService.AssetsByIDs(ctx, ids)
			return v, errs, nil
		})
	return out, errs
}

// assetsCacheable: a search, an address range and a contact read asset_ips and
// asset_contacts; a subtree reads companies.
func assetsCacheable(f codex.AssetFilter) bool {
	return f.SubtreeOf == nil && f.Search == "" && f.IPIn == "" && f.ContactID == nil
}

var assetTags = tagsOf("assets.company#", store.TableTag("assets"))

func (s *assets) AssetsByCompanies(ctx context.Context, companyIDs []int64, f codex.AssetFilter, limit int) ([][]*codex.Asset, error) {
	if !assetsCacheable(f) {
		return s.AssetService.AssetsByCompanies(ctx, companyIDs, f, limit)
	}
	return lists(s.c, "AssetsByCompanies", companyIDs, argsOf(f, limit), assetTags, func(ids []int64) ([][]*codex.Asset, error) {
		return s.AssetService.AssetsByCompanies(ctx, ids, f, limit)
	})
}

func (s *assets) CountAssetsByCompanies(ctx context.Context, companyIDs []int64, f codex.AssetFilter) ([]int, error) {
	if !assetsCacheable(f) {
		return s.AssetService.CountAssetsByCompanies(ctx, companyIDs, f)
	}
	return lists(s.c, "CountAssetsByCompanies", companyIDs, argsOf(f), assetTags, func(ids []int64) ([]int, error) {
		return s.AssetService.CountAssetsByCompanies(ctx, ids, f)
	})
}

type network struct {
	codex.NetworkService
	c *Cache
}

func (s *network) EquipmentByIDs(ctx context.Context, ids []int64) ([]*codex.NetworkEquipment, []error) {
	out, errs, _ := lookup(s.c, "EquipmentByIDs", ids, "", tagsOf("network_equipment#", store.TableTag("network_equipment")),
		func(ids []int64) ([]*codex.NetworkEquipment, []error, error) {
			v, errs := s.NetworkService.EquipmentByIDs(ctx, ids)
			return v, errs, nil
		})
	return out, errs
}

func equipmentCacheable(f codex.EquipmentFilter) bool { return f.SubtreeOf == nil }

var equipmentTags = tagsOf("network_equipment.company#", store.TableTag("network_equipment"))

func (s *network) EquipmentByCompanies(ctx context.Context, companyIDs []int64, f codex.EquipmentFilter, limit int) ([][]*codex.NetworkEquipment, error) {
	if !equipmentCacheable(f) {
		return s.NetworkService.EquipmentByCompanies(ctx, companyIDs, f, limit)
	}
	return lists(s.c, "EquipmentByCompanies", companyIDs, argsOf(f, limit), equipmentTags, func(ids []int64) ([][]*codex.NetworkEquipment, error) {
		return s.NetworkService.EquipmentByCompanies(ctx, ids, f, limit)
	})
}

func (s *network) CountEquipmentByCompanies(ctx context.Context, companyIDs []int64, f codex.EquipmentFilter) ([]int, error) {
	if !equipmentCacheable(f) {
		return s.NetworkService.CountEquipmentByCompanies(ctx, companyIDs, f)
	}
	return lists(s.c, "CountEquipmentByCompanies", companyIDs, argsOf(f), equipmentTags, func(ids []int64) ([]int, error) {
		return s.NetworkService.CountEquipmentByCompanies(ctx, ids, f)
	})
}

func (s *network) LinksByDevices(ctx context.Context, deviceIDs []int64) ([][]codex.LinkEnd, error) {
	return lists(s.c, "LinksByDevices", deviceIDs, "", tagsOf("network_links.device#", store.TableTag("network_links")),
		func(ids []int64) ([][]codex.LinkEnd, error) {
			return s.NetworkService.LinksByDevices(ctx, ids)
		})
}

type agents struct {
	codex.AgentService
	c *Cache
}

// AgentByEmail caches agents and unknown addresses alike (the theme lookup of every page
// view asks for both), for ASCII addresses: the tag folds ASCII case only.
func (s *agents) AgentByEmail(ctx context.Context, email string) (*codex.Agent, error) {
	c := s.c
	if !c.enabled() || !ascii(email) {
		return s.AgentService.AgentByEmail(ctx, email)
	}
	st := c.methods["AgentByEmail"]
	tag := store.EmailTag(email)
	key := "AgentByEmail\x00" + tag
	if v, ok := c.get(st, key); ok {
		r := v.(agentResult)
		if r.err != nil {
			return nil, r.err
		}
		return clone(r.agent), nil
	}
	snap := c.snapshot([]string{tag, store.TableTag("agents")})
	a, err := s.AgentService.AgentByEmail(ctx, email)
	if err != nil && !codex.IsNotFound(err) {
		return nil, err
	}
	c.put(key, agentResult{agent: clone(a), err: err}, snap)
	return a, err
}

// agentResult is a cached agent, or the NotFound error of an unknown address.
type agentResult struct {
	agent *codex.Agent
	err   error
}

func ascii(s string) bool {
	for i := range len(s) {
		if s[i] >= 0x80 {
			return false
		}
	}
	return !strings.ContainsRune(s, 0)
}
