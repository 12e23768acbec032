package main

import (
	"fmt"
	"io"
	"net"
	"net/url"
	"strings"
	"time"

	"ombc-cds/logic"
)

// serveConfig is the service's configuration: flags with OMBC_* environment
// defaults, documented in one table in README.md.
type serveConfig struct {
	Addr            string
	BaseURL         string
	Dev             bool
	TrustFile       string
	DiscoveryAuth   bool
	DataDir         string
	DBDSN           string
	CORSOrigins     string
	FHIRTimeout     time.Duration
	FHIRMaxPages    int
	FHIRParallel    int
	MaxBodyBytes    int64
	MaxHeaderBytes  int
	MaxInFlight     int
	ReadTimeout     time.Duration
	WriteTimeout    time.Duration
	ShutdownTimeout time.Duration
	Retention       time.Duration
	PETWindow       time.Duration
	AdminWindow     time.Duration
	DeNovoWindow    time.Duration
	TumorBoardCodes string
	LogLevel        string
	DebugAddr       string

	baseURLDefaulted bool // BaseURL was derived from Addr, so from the bound port once listening
}

// serveFlags declares the serve flags on ef and returns where they land.
func serveFlags(ef *envFlags) *serveConfig {
	c := &serveConfig{}
	def := logic.DefaultConfig()
	ef.String(&c.Addr, "addr", "OMBC_ADDR", "127.0.0.1:8080", "listen address host:port")
	ef.String(&c.BaseURL, "base-url", "OMBC_BASE_URL", "", "public base URL of the service, used for JWT audiences and links (default http://ADDR)")
	ef.Bool(&c.Dev, "dev", "OMBC_DEV", false, "development profile: trusts the public CDS Hooks sandbox issuer and unauthenticated loopback calls, allows any loopback CORS origin; never in production")
	ef.String(&c.TrustFile, "trust-file", "OMBC_TRUST_FILE", "", "trust file listing the CDS clients (issuers, keys, audiences, FHIR servers); without it only loopback calls are accepted")
	ef.Bool(&c.DiscoveryAuth, "discovery-auth", "OMBC_DISCOVERY_AUTH", false, "require a client JWT on GET /cds-services too")
	ef.String(&c.DataDir, "data-dir", "OMBC_DATA_DIR", "data", "directory of the embedded SQLite database (feedback, issued cards, replay cache)")
	ef.String(&c.DBDSN, "db-dsn", "OMBC_DB_DSN", "", "PostgreSQL DSN for deployments with several replicas; overrides --data-dir")
	ef.String(&c.CORSOrigins, "cors-origins", "OMBC_CORS_ORIGINS", "", "comma-separated browser origins allowed by CORS (e.g. https://sandbox.cds-hooks.org)")
	ef.Duration(&c.FHIRTimeout, "fhir-timeout", "OMBC_FHIR_TIMEOUT", 2*time.Second, "deadline for fetching missing prefetch data from the EHR's FHIR server")
	ef.Int(&c.FHIRMaxPages, "fhir-max-pages", "OMBC_FHIR_MAX_PAGES", 20, "maximum search pages followed per prefetch key")
	ef.Int(&c.FHIRParallel, "fhir-parallel", "OMBC_FHIR_PARALLEL", 12, "FHIR requests in flight at once per hook call (12 fetches every prefetch key at once)")
	ef.Int64(&c.MaxBodyBytes, "max-body-bytes", "OMBC_MAX_BODY_BYTES", 10<<20, "largest accepted request body; larger bodies get 413")
	ef.Int(&c.MaxHeaderBytes, "max-header-bytes", "OMBC_MAX_HEADER_BYTES", 64<<10, "largest accepted request header block")
	ef.Int(&c.MaxInFlight, "max-in-flight", "OMBC_MAX_IN_FLIGHT", 256, "concurrent requests served; more get 503")
	ef.Duration(&c.ReadTimeout, "read-timeout", "OMBC_READ_TIMEOUT", 15*time.Second, "server read timeout (whole request)")
	ef.Duration(&c.WriteTimeout, "write-timeout", "OMBC_WRITE_TIMEOUT", 30*time.Second, "server write timeout (whole response)")
	ef.Duration(&c.ShutdownTimeout, "shutdown-timeout", "OMBC_SHUTDOWN_TIMEOUT", 15*time.Second, "time given to in-flight requests on shutdown")
	ef.Duration(&c.Retention, "retention", "OMBC_RETENTION", 0, "purge feedback older than this (e.g. 730d); 0 keeps it forever")
	ef.Duration(&c.PETWindow, "pet-window", "OMBC_PET_WINDOW", def.PETWindow, "staging-imaging: a PET or PET/CT within this window suppresses the card")
	ef.Duration(&c.AdminWindow, "administration-window", "OMBC_ADMINISTRATION_WINDOW", def.AdministrationWindow, "a MedicationAdministration within this window counts as active therapy")
	ef.Duration(&c.DeNovoWindow, "de-novo-window", "OMBC_DE_NOVO_WINDOW", def.DeNovoWindow, "de novo: first distant metastasis within this window of the primary's onset")
	ef.String(&c.TumorBoardCodes, "tumor-board-codes", "OMBC_TUMOR_BOARD_CODES", "", "comma-separated system|code list that marks a CarePlan or Procedure as a tumour-board record (added to the text match)")
	ef.String(&c.LogLevel, "log-level", "OMBC_LOG_LEVEL", "info", "log level: debug, info, warn, error")
	ef.String(&c.DebugAddr, "debug-addr", "OMBC_DEBUG_ADDR", "", "loopback address for Go's pprof profiles (/debug/pprof/), e.g. 127.0.0.1:6060; off when empty")
	return c
}

// check validates the configuration and fills derived defaults.
func (c *serveConfig) check() error {
	if _, _, err := net.SplitHostPort(c.Addr); err != nil {
		return usageError{fmt.Sprintf("--addr %q: %v", c.Addr, err)}
	}
	if c.BaseURL == "" || c.baseURLDefaulted {
		c.baseURLDefaulted = true
		c.BaseURL = defaultBaseURL(c.Addr)
	}
	u, err := url.Parse(c.BaseURL)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return usageError{fmt.Sprintf("--base-url %q: must be an absolute http(s) URL", c.BaseURL)}
	}
	c.BaseURL = strings.TrimRight(c.BaseURL, "/")
	if c.MaxBodyBytes <= 0 || c.MaxInFlight <= 0 || c.FHIRMaxPages <= 0 || c.MaxHeaderBytes <= 0 || c.FHIRParallel <= 0 {
		return usageError{"--max-body-bytes, --max-header-bytes, --max-in-flight, --fhir-max-pages and --fhir-parallel must be positive"}
	}
	if c.DebugAddr != "" {
		host, _, err := net.SplitHostPort(c.DebugAddr)
		if ip := net.ParseIP(host); err != nil || (host != "localhost" && (ip == nil || !ip.IsLoopback())) {
			return usageError{fmt.Sprintf("--debug-addr %q: must be a loopback host:port (profiles reveal internals)", c.DebugAddr)}
		}
	}
	if c.FHIRTimeout <= 0 {
		return usageError{"--fhir-timeout must be positive"}
	}
	if _, err := parseCodes(c.TumorBoardCodes); err != nil {
		return usageError{"--tumor-board-codes: " + err.Error()}
	}
	return nil
}

// defaultBaseURL is http://host:port of a listen address, with wildcard
// hosts replaced by localhost (a development convenience: production sets
// --base-url to the public https URL).
func defaultBaseURL(addr string) string {
	host, port, _ := net.SplitHostPort(addr)
	if host == "" || host == "0.0.0.0" || host == "::" {
		host = "localhost"
	}
	return "http://" + net.JoinHostPort(host, port)
}

// logicConfig returns the rule windows.
func (c *serveConfig) logicConfig() logic.Config {
	return logic.Config{PETWindow: c.PETWindow, AdministrationWindow: c.AdminWindow, DeNovoWindow: c.DeNovoWindow}
}

// corsOrigins splits --cors-origins.
func (c *serveConfig) corsOrigins() []string {
	var out []string
	for _, o := range strings.Split(c.CORSOrigins, ",") {
		if o = strings.TrimSpace(o); o != "" {
			out = append(out, strings.TrimRight(o, "/"))
		}
	}
	return out
}

// parseCodes parses "system|code,system|code".
func parseCodes(s string) ([]logic.Code, error) {
	var out []logic.Code
	for _, item := range strings.Split(s, ",") {
		item = strings.TrimSpace(item)
		if item == "" {
			continue
		}
		system, code, ok := strings.Cut(item, "|")
		if !ok || system == "" || code == "" {
			return nil, fmt.Errorf("%q is not system|code", item)
		}
		out = append(out, logic.Code{System: system, Code: code})
	}
	return out, nil
}

// writeFlagTable writes the configuration table of README.md.
func writeFlagTable(w io.Writer, specs []flagSpec) {
	fmt.Fprintln(w, "| flag | environment | default | meaning |")
	fmt.Fprintln(w, "|---|---|---|---|")
	for _, s := range specs {
		def := s.Default
		if def == "" {
			def = "(none)"
		}
		fmt.Fprintf(w, "| `--%s` | `%s` | `%s` | %s |\n", s.Name, s.Env, def, s.Usage)
	}
}
