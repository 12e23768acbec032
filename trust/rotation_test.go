package trust_test

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"ombc-cds/trust"
	"ombc-cds/trust/trusttest"
)

// keyServer serves a JWK Set that the test can replace, and counts fetches.
type keyServer struct {
	mu    sync.Mutex
	body  []byte
	cache string
	n     int
	srv   *httptest.Server
}

func newKeyServer(t *testing.T, body []byte) *keyServer {
	t.Helper()
	ks := &keyServer{body: body}
	ks.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		ks.mu.Lock()
		defer ks.mu.Unlock()
		ks.n++
		if ks.cache != "" {
			w.Header().Set("Cache-Control", ks.cache)
		}
		_, _ = w.Write(ks.body)
	}))
	t.Cleanup(ks.srv.Close)
	return ks
}

func (ks *keyServer) set(body []byte) {
	ks.mu.Lock()
	defer ks.mu.Unlock()
	ks.body = body
}

func (ks *keyServer) fetches() int {
	ks.mu.Lock()
	defer ks.mu.Unlock()
	return ks.n
}

// TestKeyRotation: an unknown kid triggers exactly one refetch; a second
// unknown kid soon after triggers none; the set is refetched when its
// max-age runs out (CONFORMANCE.md S-8).
func TestKeyRotation(t *testing.T) {
	const iss = "https://rotating.example.org"
	k1 := trusttest.NewES384(t, "k1")
	k2 := trusttest.NewES384(t, "k2")
	k3 := trusttest.NewES384(t, "k3")
	ks := newKeyServer(t, trusttest.JWKS(t, k1))
	ks.cache = "public, max-age=300"
	clk := newClock(start())
	v, err := trust.New(trust.Config{Issuers: []trust.Issuer{{Issuer: iss, JWKSURL: ks.srv.URL + "/jwks", Development: true}}},
		trust.Options{BaseURL: base, Now: clk.Now, Logger: discardLogger()})
	if err != nil {
		t.Fatal(err)
	}
	h := &protected{v: v}
	send := func(k *trusttest.Key) *httptest.ResponseRecorder {
		return call(t, h, servicePath, trusttest.Bearer(k.Sign(t, nil, trusttest.Claims(iss, serviceURL, clk.Now()))), "")
	}

	steps := []struct {
		name        string
		advance     time.Duration
		rotateTo    []*trusttest.Key
		key         *trusttest.Key
		wantOK      bool
		wantFetches int
	}{
		{name: "first token fetches the set", key: k1, wantOK: true, wantFetches: 1},
		{name: "known kid uses the cache", key: k1, wantOK: true, wantFetches: 1},
		{name: "rotated kid triggers one refetch", advance: time.Minute, rotateTo: []*trusttest.Key{k1, k2}, key: k2, wantOK: true, wantFetches: 2},
		{name: "another unknown kid right after is not refetched", key: k3, wantOK: false, wantFetches: 2},
		{name: "cached set expires after max-age", advance: 5 * time.Minute, key: k1, wantOK: true, wantFetches: 3},
	}
	for _, s := range steps {
		t.Run(s.name, func(t *testing.T) {
			clk.Advance(s.advance)
			if s.rotateTo != nil {
				ks.set(trusttest.JWKS(t, s.rotateTo...))
			}
			w := send(s.key)
			if s.wantOK {
				assertAdvice(t, w)
			} else {
				assertRefused(t, w)
				if got := trust.ReasonOf(h.err); got != trust.ReasonKID {
					t.Errorf("reason = %q, want %q", got, trust.ReasonKID)
				}
			}
			if got := ks.fetches(); got != s.wantFetches {
				t.Errorf("fetches = %d, want %d", got, s.wantFetches)
			}
		})
	}
}

// TestKeyFetchLimits: a JWK Set above 1 MiB, a redirect and an error status
// all fail as "jwks", and a redirect target is never contacted.
func TestKeyFetchLimits(t *testing.T) {
	const iss = "https://keys.example.org"
	key := trusttest.NewES384(t, "k")
	var target hits
	other := target.server(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, _ = w.Write(trusttest.JWKS(t, key))
	}))
	huge := `{"keys":[],"pad":"` + strings.Repeat("a", 1<<20) + `"}`
	mux := http.NewServeMux()
	mux.HandleFunc("/huge", func(w http.ResponseWriter, r *http.Request) { _, _ = w.Write([]byte(huge)) })
	mux.HandleFunc("/redirect", func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, other.URL+"/jwks", http.StatusFound)
	})
	mux.HandleFunc("/status", func(w http.ResponseWriter, r *http.Request) { http.Error(w, "no", http.StatusInternalServerError) })
	mux.HandleFunc("/garbage", func(w http.ResponseWriter, r *http.Request) { _, _ = w.Write([]byte("<html>")) })
	srv := httptest.NewServer(mux)
	t.Cleanup(srv.Close)

	for _, path := range []string{"/huge", "/redirect", "/status", "/garbage"} {
		t.Run(strings.TrimPrefix(path, "/"), func(t *testing.T) {
			v, err := trust.New(trust.Config{Issuers: []trust.Issuer{{Issuer: iss, JWKSURL: srv.URL + path, Development: true}}},
				trust.Options{BaseURL: base, Now: start, Logger: discardLogger()})
			if err != nil {
				t.Fatal(err)
			}
			h := &protected{v: v}
			assertRefused(t, call(t, h, servicePath, trusttest.Bearer(key.Sign(t, nil, trusttest.Claims(iss, serviceURL, start()))), ""))
			if got := trust.ReasonOf(h.err); got != trust.ReasonJWKS {
				t.Errorf("reason = %q, want %q (err %v)", got, trust.ReasonJWKS, h.err)
			}
		})
	}
	if n := target.n.Load(); n != 0 {
		t.Errorf("redirect target contacted %d times, want 0", n)
	}
}
