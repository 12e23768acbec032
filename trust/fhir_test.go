package trust_test

import (
	"encoding/json"
	"errors"
	"net/http"
	"testing"

	"ombc-cds/trust"
	"ombc-cds/trust/trusttest"
)

// TestCheckFHIRServer: only allowlisted origins, https unless development;
// the check itself never contacts the server (CDS Hooks 2.0 §Security, S-1).
func TestCheckFHIRServer(t *testing.T) {
	var contacted hits
	local := contacted.server(t, http.NotFoundHandler())
	jwks := json.RawMessage(trusttest.JWKS(t, trusttest.NewES384(t, "k")))
	prod := trust.Config{Issuers: []trust.Issuer{
		{Issuer: ehrIss, JWKS: jwks, FHIRServers: []string{"https://ehr.example.org", "https://fhir.example.org:8443/"}},
		{Issuer: "http://dev-ehr.local", JWKS: jwks, FHIRServers: []string{local.URL}, Development: true},
	}}
	tests := []struct {
		name   string
		cfg    trust.Config
		dev    bool
		iss    string
		server string
		ok     bool
	}{
		{name: "allowlisted origin", cfg: prod, iss: ehrIss, server: "https://ehr.example.org/fhir/R4", ok: true},
		{name: "allowlisted origin with explicit default port and upper case", cfg: prod, iss: ehrIss, server: "https://EHR.example.org:443/fhir", ok: true},
		{name: "allowlisted origin with its port", cfg: prod, iss: ehrIss, server: "https://fhir.example.org:8443/r4", ok: true},
		{name: "same host on another port", cfg: prod, iss: ehrIss, server: "https://fhir.example.org/r4", ok: false},
		{name: "non-allowlisted origin", cfg: prod, iss: ehrIss, server: "https://attacker.example.net/fhir", ok: false},
		{name: "non-allowlisted loopback server", cfg: prod, iss: ehrIss, server: local.URL + "/fhir", ok: false},
		{name: "lookalike host", cfg: prod, iss: ehrIss, server: "https://ehr.example.org.attacker.net/fhir", ok: false},
		{name: "user info trick", cfg: prod, iss: ehrIss, server: "https://ehr.example.org@attacker.net/fhir", ok: false},
		{name: "http in production", cfg: prod, iss: ehrIss, server: "http://ehr.example.org/fhir", ok: false},
		{name: "other scheme", cfg: prod, iss: ehrIss, server: "file:///etc/passwd", ok: false},
		{name: "relative URL", cfg: prod, iss: ehrIss, server: "/fhir", ok: false},
		{name: "unknown issuer", cfg: prod, iss: "https://unknown.example.org", server: "https://ehr.example.org/fhir", ok: false},
		{name: "development issuer may use http", cfg: prod, iss: "http://dev-ehr.local", server: local.URL + "/fhir", ok: true},
		{name: "unauthenticated call with issuers configured", cfg: prod, iss: "", server: local.URL, ok: false},
		{name: "unauthenticated call without issuers, loopback server", iss: "", server: local.URL + "/fhir", ok: true},
		{name: "unauthenticated call without issuers, localhost", iss: "", server: "http://localhost:8080/fhir", ok: true},
		{name: "unauthenticated call without issuers, remote server", iss: "", server: "https://launch.smarthealthit.org/v/r4/fhir", ok: false},
		{name: "unauthenticated call in dev, remote server", dev: true, iss: "", server: "https://launch.smarthealthit.org/v/r4/fhir", ok: true},
		{name: "sandbox issuer in dev, any server", dev: true, iss: trust.SandboxIssuer, server: "http://hapi.fhir.org/baseR4", ok: true},
		{name: "sandbox issuer without dev", iss: trust.SandboxIssuer, server: "https://launch.smarthealthit.org/v/r4/fhir", ok: false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			v, err := trust.New(tt.cfg, trust.Options{BaseURL: base, Dev: tt.dev, Logger: discardLogger()})
			if err != nil {
				t.Fatal(err)
			}
			err = v.CheckFHIRServer(tt.iss, tt.server)
			if tt.ok && err != nil {
				t.Errorf("CheckFHIRServer(%q, %q) = %v, want allowed", tt.iss, tt.server, err)
			}
			if !tt.ok && !errors.Is(err, trust.ErrFHIRServerNotAllowed) {
				t.Errorf("CheckFHIRServer(%q, %q) = %v, want ErrFHIRServerNotAllowed", tt.iss, tt.server, err)
			}
		})
	}
	if n := contacted.n.Load(); n != 0 {
		t.Errorf("a FHIR server was contacted %d times by the check, want 0", n)
	}
}

// TestFHIRClientRedirects: redirects within the origin are followed, a
// redirect to another origin is refused and that origin never contacted.
func TestFHIRClientRedirects(t *testing.T) {
	var other hits
	elsewhere := other.server(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, _ = w.Write([]byte(`{"resourceType":"Patient"}`))
	}))
	var allowed hits
	mux := http.NewServeMux()
	mux.HandleFunc("/away", func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, elsewhere.URL+"/Patient/1", http.StatusFound)
	})
	mux.HandleFunc("/here", func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, "/Patient/1", http.StatusMovedPermanently)
	})
	mux.HandleFunc("/Patient/1", func(w http.ResponseWriter, r *http.Request) {
		_, _ = w.Write([]byte(`{"resourceType":"Patient"}`))
	})
	fhir := allowed.server(t, mux)
	v, err := trust.New(trust.Config{}, trust.Options{BaseURL: base, Logger: discardLogger()})
	if err != nil {
		t.Fatal(err)
	}
	client := v.FHIRClient()
	tests := []struct {
		name string
		path string
		ok   bool
	}{
		{name: "same-origin redirect is followed", path: "/here", ok: true},
		{name: "redirect to another origin is refused", path: "/away", ok: false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			resp, err := client.Get(fhir.URL + tt.path)
			if resp != nil {
				resp.Body.Close()
			}
			if tt.ok && (err != nil || resp.StatusCode != http.StatusOK) {
				t.Fatalf("got %v, %v; want 200", resp, err)
			}
			if !tt.ok && !errors.Is(err, trust.ErrFHIRServerNotAllowed) {
				t.Fatalf("err = %v, want ErrFHIRServerNotAllowed", err)
			}
		})
	}
	if n := other.n.Load(); n != 0 {
		t.Errorf("the other origin was contacted %d times, want 0", n)
	}
	if client.Timeout == 0 {
		t.Error("FHIR client has no timeout")
	}
}
