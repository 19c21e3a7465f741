package rest

import (
	"net/http"
	"reflect"
)

// routes is the route table: every path of the REST API, registered by Routes and
// described by /api/openapi.json from these same rows.
func (a *API) routes() []route {
	var rts []route
	rts = append(rts, a.companyRoutes()...)
	rts = append(rts, a.platformRoutes()...)
	rts = append(rts, a.rmmRoutes()...)
	rts = append(rts, a.billingRoutes()...)
	rts = append(rts, a.contactRoutes()...)
	rts = append(rts, a.assetRoutes()...)
	rts = append(rts, a.networkRoutes()...)
	rts = append(rts, a.ticketRoutes()...)
	rts = append(rts, a.settingsRoutes()...)
	rts = append(rts, a.syncRoutes()...)
	rts = append(rts, a.triageRoutes()...)
	rts = append(rts, a.psaRoutes()...)
	a.platformize(rts)
	rts = append(rts, route{method: http.MethodGet, pattern: "/openapi.json", tag: "meta", op: "getOpenAPIDocument",
		summary: "This API's OpenAPI 3 description, generated from the route table",
		result:  reflect.TypeFor[map[string]any](), status: http.StatusOK, handler: a.openAPI})
	return rts
}
