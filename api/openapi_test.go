package api_test

import (
	"fmt"
	"log/slog"
	"net/http"
	"reflect"
	"slices"
	"sort"
	"strconv"
	"strings"
	"sync"
	"testing"

	"github.com/pb33f/libopenapi"
	"github.com/pb33f/libopenapi/datamodel"
	"github.com/pb33f/libopenapi/datamodel/high/base"
	v3 "github.com/pb33f/libopenapi/datamodel/high/v3"

	"sesame/api"
	"sesame/authapi"
	"sesame/server"
	"sesame/server/mail"
)

const statusOp = "GET /v1/status"

// loadSpec builds the v3.1 model of api.Spec once for all tests.
var loadSpec = sync.OnceValues(func() (*v3.Document, error) {
	cfg := datamodel.NewDocumentConfiguration()
	cfg.Logger = slog.New(slog.DiscardHandler) // build errors are returned, not logged
	doc, err := libopenapi.NewDocumentWithConfiguration(api.Spec, cfg)
	if err != nil {
		return nil, fmt.Errorf("reading openapi.yaml: %w", err)
	}
	if v := doc.GetVersion(); !strings.HasPrefix(v, "3.1.") {
		return nil, fmt.Errorf("openapi.yaml is version %q, want 3.1.x", v)
	}
	m, err := doc.BuildV3Model()
	if err != nil {
		return nil, fmt.Errorf("building the OpenAPI 3.1 model: %w", err)
	}
	return &m.Model, nil
})

func spec(t *testing.T) *v3.Document {
	t.Helper()
	m, err := loadSpec()
	if err != nil {
		t.Fatal(err)
	}
	return m
}

type operation struct {
	key string // "METHOD /path"
	op  *v3.Operation
}

func operations(t *testing.T) []operation {
	t.Helper()
	var out []operation
	for path, item := range spec(t).Paths.PathItems.FromOldest() {
		for method, op := range item.GetOperations().FromOldest() {
			out = append(out, operation{strings.ToUpper(method) + " " + path, op})
		}
	}
	if len(out) == 0 {
		t.Fatal("the spec has no operations")
	}
	return out
}

func schema(t *testing.T, name string) *base.Schema {
	t.Helper()
	p, ok := spec(t).Components.Schemas.Get(name)
	if !ok {
		t.Fatalf("components.schemas has no %s", name)
	}
	s := p.Schema()
	if s == nil {
		t.Fatalf("schema %s: %v", name, p.GetBuildError())
	}
	return s
}

func property(t *testing.T, s *base.Schema, owner, name string) *base.Schema {
	t.Helper()
	if s.Properties == nil {
		t.Fatalf("schema %s has no properties", owner)
	}
	p, ok := s.Properties.Get(name)
	if !ok {
		t.Fatalf("schema %s has no property %s", owner, name)
	}
	return p.Schema()
}

func enumOf(s *base.Schema) []string {
	var out []string
	for _, n := range s.Enum {
		out = append(out, n.Value)
	}
	if s.Const != nil {
		out = append(out, s.Const.Value)
	}
	return out
}

// sameSet reports the members only one of want and got holds.
func sameSet(t *testing.T, what string, want, got []string) {
	t.Helper()
	w := map[string]int{}
	for _, x := range want {
		w[x]++
	}
	g := map[string]int{}
	for _, x := range got {
		g[x]++
		if g[x] == 2 {
			t.Errorf("%s: %q is listed twice", what, x)
		}
	}
	for x := range w {
		if g[x] == 0 {
			t.Errorf("%s: missing %q", what, x)
		}
	}
	for x := range g {
		if w[x] == 0 {
			t.Errorf("%s: unexpected %q", what, x)
		}
	}
}

func TestSpecIsOpenAPI31(t *testing.T) {
	m := spec(t)
	if !strings.HasPrefix(m.Version, "3.1.") {
		t.Errorf("openapi: %q, want 3.1.x", m.Version)
	}
	if m.Info == nil || m.Info.Title != "Sesame auth API" || m.Info.Version != "1.0.0" {
		t.Errorf("info = %+v, want title %q version %q", m.Info, "Sesame auth API", "1.0.0")
	}
	if len(m.Servers) != 1 || m.Servers[0].URL != "/" {
		t.Errorf("servers must be the single relative URL /")
	}
	bearer, ok := m.Components.SecuritySchemes.Get("bearer")
	if !ok || bearer.Type != "http" || !strings.EqualFold(bearer.Scheme, "bearer") {
		t.Errorf("components.securitySchemes.bearer must be an HTTP bearer scheme")
	}
}

// TestRoutesMatchServer compares the operations of the spec with the routes
// the server registers; ServeMux wildcards {id} are OpenAPI's syntax too.
func TestRoutesMatchServer(t *testing.T) {
	inSpec := map[string]*v3.Operation{}
	for _, o := range operations(t) {
		inSpec[o.key] = o.op
	}
	// The checks for load balancers are served outside the API's routes.
	inServer := map[string]bool{"GET " + server.PathHealth: true, "GET " + server.PathReady: true}
	for _, r := range server.Routes() {
		key := r.Method + " " + r.Pattern
		inServer[key] = true
		op, ok := inSpec[key]
		if !ok {
			t.Errorf("server route %s is missing from openapi.yaml", key)
			continue
		}
		if got := usesBearer(op); got != r.Auth {
			t.Errorf("%s: the spec says bearer=%v, the server route says Auth=%v", key, got, r.Auth)
		}
	}
	for key := range inSpec {
		if !inServer[key] {
			t.Errorf("openapi.yaml operation %s is not a server route", key)
		}
	}
}

// isCheck tells the load balancers' checks, which answer plain JSON and
// pass none of the API's checks, and the pages for browsers from the API's
// operations.
func isCheck(op *v3.Operation) bool {
	return slices.Contains(op.Tags, "operations") || slices.Contains(op.Tags, "pages")
}

func usesBearer(op *v3.Operation) bool {
	for _, req := range op.Security {
		if req.ContainsEmptyRequirement || req.Requirements == nil {
			continue
		}
		if _, ok := req.Requirements.Get("bearer"); ok {
			return true
		}
	}
	return false
}

func TestProblemCodesMatchAuthapi(t *testing.T) {
	var want []string
	for _, c := range authapi.Codes {
		want = append(want, string(c))
	}
	got := enumOf(property(t, schema(t, "Problem"), "Problem", "code"))
	sameSet(t, "Problem.code enum against authapi.Codes", want, got)
}

func TestClientVersionParameter(t *testing.T) {
	for _, o := range operations(t) {
		if isCheck(o.op) {
			continue
		}
		var p *v3.Parameter
		for _, x := range o.op.Parameters {
			if x.In == "header" && strings.EqualFold(x.Name, authapi.HeaderClientVersion) {
				p = x
			}
		}
		required := p != nil && p.Required != nil && *p.Required
		switch {
		case p == nil && o.key != statusOp:
			t.Errorf("%s does not declare the %s header", o.key, authapi.HeaderClientVersion)
		case o.key == statusOp && required:
			t.Errorf("%s must take %s as optional", o.key, authapi.HeaderClientVersion)
		case o.key != statusOp && !required:
			t.Errorf("%s must require %s", o.key, authapi.HeaderClientVersion)
		}
	}
}

// goSchemas names the component schema of every body type of authapi;
// response types must mark exactly their always-present members required.
var goSchemas = []struct {
	name     string
	value    any
	response bool
}{
	{"Problem", authapi.Problem{}, true},
	{"StatusResponse", authapi.StatusResponse{}, true},
	{"CreateAccountRequest", authapi.CreateAccountRequest{}, false},
	{"VerifyAccountRequest", authapi.VerifyAccountRequest{}, false},
	{"EmailCodeRequest", authapi.EmailCodeRequest{}, false},
	{"EmailRequest", authapi.EmailRequest{}, false},
	{"LanguageRequest", authapi.LanguageRequest{}, false},
	{"CreateSessionRequest", authapi.CreateSessionRequest{}, false},
	{"TwoFactorSessionRequest", authapi.TwoFactorSessionRequest{}, false},
	{"Tokens", authapi.Tokens{}, true},
	{"RefreshRequest", authapi.RefreshRequest{}, false},
	{"Session", authapi.Session{}, true},
	{"SessionList", authapi.SessionList{}, true},
	{"ResetVerifyResponse", authapi.ResetVerifyResponse{}, true},
	{"ResetCompleteRequest", authapi.ResetCompleteRequest{}, false},
	{"Me", authapi.Me{}, true},
	{"ChangePasswordRequest", authapi.ChangePasswordRequest{}, false},
	{"AntiPhishingRequest", authapi.AntiPhishingRequest{}, false},
	{"PasswordRequest", authapi.PasswordRequest{}, false},
	{"PhoneRequest", authapi.PhoneRequest{}, false},
	{"CodeRequest", authapi.CodeRequest{}, false},
	{"TwoFactorSetup", authapi.TwoFactorSetup{}, true},
	{"TOTPRequest", authapi.TOTPRequest{}, false},
	{"RecoveryCodes", authapi.RecoveryCodes{}, true},
	{"DisableTwoFactorRequest", authapi.DisableTwoFactorRequest{}, false},
	{"RegenerateCodesRequest", authapi.RegenerateCodesRequest{}, false},
	{"Device", authapi.Device{}, true},
	{"DeviceList", authapi.DeviceList{}, true},
	{"SupportRequest", authapi.SupportRequest{}, false},
	{"SupportAccess", authapi.SupportAccess{}, true},
	{"SupportReply", authapi.SupportReply{}, true},
	{"SupportTicket", authapi.SupportTicket{}, true},
	{"SupportTicketList", authapi.SupportTicketList{}, true},
	{"Mail", authapi.Mail{}, true},
	{"Mailbox", authapi.Mailbox{}, true},
	{"ActivityEvent", authapi.ActivityEvent{}, true},
	{"ActivityList", authapi.ActivityList{}, true},
}

// jsonMembers returns the JSON member names of a struct and those it
// always writes (no omitempty).
func jsonMembers(v any) (all, always []string) {
	rt := reflect.TypeOf(v)
	for i := range rt.NumField() {
		f := rt.Field(i)
		tag := f.Tag.Get("json")
		name, opts, _ := strings.Cut(tag, ",")
		if name == "-" || !f.IsExported() {
			continue
		}
		if name == "" {
			name = f.Name
		}
		all = append(all, name)
		if !slices.Contains(strings.Split(opts, ","), "omitempty") {
			always = append(always, name)
		}
	}
	return all, always
}

func TestSchemasMatchGoTypes(t *testing.T) {
	for _, c := range goSchemas {
		s := schema(t, c.name)
		all, always := jsonMembers(c.value)
		var props []string
		if s.Properties != nil {
			props = slices.Collect(s.Properties.KeysFromOldest())
		}
		sameSet(t, c.name+" properties against authapi."+c.name, all, props)
		if c.response {
			sameSet(t, c.name+" required against the always-written members", always, s.Required)
			continue
		}
		for _, r := range s.Required {
			if !slices.Contains(all, r) {
				t.Errorf("%s requires %q, which is not a member", c.name, r)
			}
		}
		if s.AdditionalProperties == nil || !s.AdditionalProperties.IsB() || s.AdditionalProperties.B {
			t.Errorf("%s must say additionalProperties: false (the server refuses unknown members)", c.name)
		}
	}
}

func TestEnumsMatchAuthapi(t *testing.T) {
	strs := func(xs ...authapi.Reason) (out []string) {
		for _, x := range xs {
			out = append(out, string(x))
		}
		return out
	}
	cases := []struct {
		what string
		got  []string
		want []string
	}{
		{"PasswordRefusalReason", enumOf(schema(t, "PasswordRefusalReason")),
			strs(authapi.ReasonTooShort, authapi.ReasonTooLong, authapi.ReasonCommon,
				authapi.ReasonContainsMail, authapi.ReasonControlChars)},
		{"Language", enumOf(schema(t, "Language")), mail.Languages()},
		{"ActivityResult", enumOf(schema(t, "ActivityResult")), []string{
			authapi.ResultSuccess, authapi.ResultInvalidCredentials, authapi.ResultInvalidTwoFactorCode,
			authapi.ResultLocked, authapi.ResultRecoveryCodeUsed, authapi.ResultPasswordReset,
			authapi.ResultTwoFactorEnabled, authapi.ResultTwoFactorDisabled, authapi.ResultSessionRevoked,
			authapi.ResultRefreshTokenReused, authapi.ResultCodesLocked, authapi.ResultDeviceForgotten, authapi.ResultAccountSecured,
			authapi.ResultPhoneAdded, authapi.ResultPhoneRemoved}},
		{"SupportRequest.topic", enumOf(property(t, schema(t, "SupportRequest"), "SupportRequest", "topic")), authapi.SupportTopics},
		{"SupportTicket.status", enumOf(property(t, schema(t, "SupportTicket"), "SupportTicket", "status")),
			[]string{authapi.TicketOpen, authapi.TicketAnswered, authapi.TicketClosed}},
		{"Problem.secret", enumOf(property(t, schema(t, "Problem"), "Problem", "secret")), []string{string(authapi.SecretRecoveryPhrase),
			string(authapi.SecretRecoveryCode), string(authapi.SecretCode), string(authapi.SecretPassword)}},
		{"TwoFactorMethod", enumOf(schema(t, "TwoFactorMethod")),
			[]string{authapi.MethodTOTP, authapi.MethodRecoveryCode}},
		{"StatusResponse.status", enumOf(property(t, schema(t, "StatusResponse"), "StatusResponse", "status")),
			[]string{authapi.StatusOK, authapi.StatusDegraded, authapi.StatusMaintenance}},
		{"Tokens.token_type", enumOf(property(t, schema(t, "Tokens"), "Tokens", "token_type")),
			[]string{authapi.TokenTypeBearer}},
	}
	for _, c := range cases {
		sameSet(t, c.what, c.want, c.got)
	}
}

// problemStatus reads the code → status rules written as if/then in Problem.
func problemStatus(t *testing.T) map[string]int {
	t.Helper()
	out := map[string]int{}
	for _, p := range schema(t, "Problem").AllOf {
		rule := p.Schema()
		if rule.If == nil || rule.Then == nil {
			continue
		}
		then := rule.Then.Schema()
		if then.Properties == nil {
			continue
		}
		st, ok := then.Properties.Get("status")
		if !ok {
			continue
		}
		n, err := strconv.Atoi(st.Schema().Const.Value)
		if err != nil {
			t.Fatalf("Problem rule with status %q: %v", st.Schema().Const.Value, err)
		}
		for _, c := range enumOf(property(t, rule.If.Schema(), "Problem if", "code")) {
			if _, dup := out[c]; dup {
				t.Errorf("Problem gives %q two statuses", c)
			}
			out[c] = n
		}
	}
	for _, c := range authapi.Codes {
		if _, ok := out[string(c)]; !ok {
			t.Errorf("Problem has no status rule for %q", c)
		}
	}
	return out
}

// responseCodes returns the problem codes a problem response narrows to.
func responseCodes(s *base.Schema) []string {
	var out []string
	for _, p := range s.AllOf {
		if p.IsReference() {
			continue
		}
		if sub := p.Schema(); sub.Properties != nil {
			if c, ok := sub.Properties.Get("code"); ok {
				out = append(out, enumOf(c.Schema())...)
			}
		}
	}
	return out
}

func TestOperationsAndResponses(t *testing.T) {
	statusOf := problemStatus(t)
	var problemMembers []string
	for k := range schema(t, "Problem").Properties.KeysFromOldest() {
		problemMembers = append(problemMembers, k)
	}
	ids := map[string]string{}
	for _, o := range operations(t) {
		op := o.op
		if op.OperationId == "" || op.Summary == "" {
			t.Errorf("%s needs an operationId and a summary", o.key)
		}
		if prev, dup := ids[op.OperationId]; dup {
			t.Errorf("%s and %s share operationId %q", prev, o.key, op.OperationId)
		}
		ids[op.OperationId] = o.key
		if isCheck(op) {
			continue
		}

		hasBody := op.RequestBody != nil
		if hasBody {
			mt, ok := op.RequestBody.Content.Get("application/json")
			if !ok || op.RequestBody.Content.Len() != 1 {
				t.Errorf("%s: the request body must be application/json only", o.key)
			} else if s := mt.Schema.Schema(); s.AdditionalProperties == nil || s.AdditionalProperties.B {
				t.Errorf("%s: the request body schema must say additionalProperties: false", o.key)
			}
		}

		want := []string{"421", "500"}
		if o.key != statusOp {
			want = append(want, "400", "426", "429", "503")
		}
		if hasBody {
			want = append(want, "413", "415")
		}
		if usesBearer(op) {
			want = append(want, "401")
		}
		success := 0
		for code := range op.Responses.Codes.KeysFromOldest() {
			if strings.HasPrefix(code, "2") {
				success++
			}
		}
		if success != 1 {
			t.Errorf("%s has %d success responses, want 1", o.key, success)
		}
		for _, code := range want {
			if _, ok := op.Responses.Codes.Get(code); !ok {
				t.Errorf("%s does not declare a %s response", o.key, code)
			}
		}

		for code, resp := range op.Responses.Codes.FromOldest() {
			where := o.key + " " + code
			if resp.Headers == nil {
				t.Errorf("%s declares no headers (Date is on every response)", where)
				continue
			}
			if _, ok := resp.Headers.Get("Date"); !ok {
				t.Errorf("%s does not declare the Date header", where)
			}
			if code == "429" || code == "503" {
				if _, ok := resp.Headers.Get("Retry-After"); !ok {
					t.Errorf("%s does not declare the Retry-After header", where)
				}
			}
			if code == "204" || code == "202" {
				if resp.Content != nil && resp.Content.Len() > 0 {
					t.Errorf("%s must have no body", where)
				}
				continue
			}
			if strings.HasPrefix(code, "2") {
				if _, ok := resp.Content.Get("application/json"); !ok {
					t.Errorf("%s must answer application/json", where)
				}
				continue
			}
			mt, ok := resp.Content.Get(authapi.ProblemContentType)
			if !ok || resp.Content.Len() != 1 {
				t.Errorf("%s must answer %s only", where, authapi.ProblemContentType)
				continue
			}
			checkProblemResponse(t, where, code, mt, statusOf, problemMembers)
			if code == "401" && usesBearer(op) && !slices.Contains(responseCodes(mt.Schema.Schema()), string(authapi.CodeUnauthorized)) {
				t.Errorf("%s: a bearer operation's 401 must list %q", where, authapi.CodeUnauthorized)
			}
		}
	}
}

// checkProblemResponse checks that a problem response lists codes of its
// status, with one example at least per code, each example a well-formed
// problem of that status and code.
func checkProblemResponse(t *testing.T, where, code string, mt *v3.MediaType, statusOf map[string]int, members []string) {
	t.Helper()
	status, err := strconv.Atoi(code)
	if err != nil {
		t.Errorf("%s: not a status code", where)
		return
	}
	s := mt.Schema.Schema()
	if len(s.AllOf) == 0 || !s.AllOf[0].IsReference() || !strings.HasSuffix(s.AllOf[0].GetReference(), "/Problem") {
		t.Errorf("%s: the schema must be allOf [Problem, narrowed code]", where)
		return
	}
	codes := responseCodes(s)
	if len(codes) == 0 {
		t.Errorf("%s: the schema does not narrow code", where)
	}
	for _, c := range codes {
		if st, ok := statusOf[c]; !ok {
			t.Errorf("%s lists unknown code %q", where, c)
		} else if st != status {
			t.Errorf("%s lists %q, whose status is %d", where, c, st)
		}
	}
	seen := map[string]bool{}
	if mt.Examples != nil {
		for name, ex := range mt.Examples.FromOldest() {
			var v map[string]any
			if ex.Value == nil || ex.Value.Decode(&v) != nil {
				t.Errorf("%s example %s is not an object", where, name)
				continue
			}
			c, _ := v["code"].(string)
			seen[c] = true
			if !slices.Contains(codes, c) {
				t.Errorf("%s example %s has code %q, not one the response lists", where, name, c)
			}
			if v["status"] != status {
				t.Errorf("%s example %s has status %v", where, name, v["status"])
			}
			if v["title"] != http.StatusText(status) {
				t.Errorf("%s example %s has title %q, want %q", where, name, v["title"], http.StatusText(status))
			}
			keys := make([]string, 0, len(v))
			for k := range v {
				keys = append(keys, k)
			}
			sort.Strings(keys)
			for _, k := range keys {
				if !slices.Contains(members, k) {
					t.Errorf("%s example %s has member %q, which Problem lacks", where, name, k)
				}
			}
		}
	}
	for _, c := range codes {
		if !seen[c] {
			t.Errorf("%s has no example for code %q", where, c)
		}
	}
}
