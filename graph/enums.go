package graph

import (
	"context"
	"strings"

	"github.com/hivematrix/codex/codex"
	"github.com/hivematrix/codex/graph/model"
)

// The closed sets codex keeps as lower-case strings (a sync run's source and status, a
// device's status, a ticket's source) are enums in the schema: these resolvers translate
// between the two spellings (freshservice <-> FRESHSERVICE).

// enumOf returns codex's value s as the schema's enum value.
func enumOf[E ~string](s string) E { return E(strings.ToUpper(s)) }

// valueOf returns the schema's enum value e as codex's value.
func valueOf[E ~string](e E) string { return strings.ToLower(string(e)) }

// valuesOf returns the schema's enum values as codex's values.
func valuesOf[E ~string](es []E) []string {
	if es == nil {
		return nil
	}
	out := make([]string, len(es))
	for i, e := range es {
		out[i] = valueOf(e)
	}
	return out
}

// Source is the integration the run belongs to.
func (r *syncRunResolver) Source(_ context.Context, obj *codex.SyncRun) (model.Integration, error) {
	return enumOf[model.Integration](obj.Source), nil
}

// Status is whether the run is running, succeeded or failed.
func (r *syncRunResolver) Status(_ context.Context, obj *codex.SyncRun) (model.SyncRunStatus, error) {
	return enumOf[model.SyncRunStatus](obj.Status), nil
}

// Error is why the run failed, or null.
func (r *syncRunResolver) Error(_ context.Context, obj *codex.SyncRun) (*string, error) {
	if obj.Error == "" {
		return nil, nil
	}
	return &obj.Error, nil
}

// Status is what the RMM reports of the device.
func (r *networkEquipmentResolver) Status(_ context.Context, obj *codex.NetworkEquipment) (model.EquipmentStatus, error) {
	return enumOf[model.EquipmentStatus](obj.Status), nil
}

// Source is the PSA the ticket comes from.
func (r *ticketResolver) Source(_ context.Context, obj *codex.Ticket) (model.Integration, error) {
	return enumOf[model.Integration](obj.Source), nil
}
