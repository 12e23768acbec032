// Command ombc-load is the load generator for ombc-cds: it posts patient-view
// hook requests, each with a freshly signed client JWT, from many concurrent
// clients to a running service on loopback, and reports throughput, latency
// percentiles, errors and the service's memory before and after.
//
//	ombc-load keygen DIR              write an ES256 key and a trust file for it
//	ombc-load run [flags] REQUEST.json post REQUEST.json for --duration
//	ombc-load tokens KEY AUD N         print N signed tokens, one a line (for wrk)
//
// scripts/loadtest.sh runs the documented load test end to end.
package main

import (
	"bufio"
	"bytes"
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"encoding/base64"
	"encoding/json"
	"encoding/pem"
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/golang-jwt/jwt/v5"
)

func main() {
	if err := run(context.Background(), os.Args[1:], os.Stdout, os.Stderr); err != nil {
		if !errors.Is(err, flag.ErrHelp) {
			fmt.Fprintln(os.Stderr, "ombc-load:", err)
		}
		os.Exit(1)
	}
}

const issuer = "https://load-test.ombc-cds.invalid"
const keyID = "ombc-load-1"

func run(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	if len(args) == 0 {
		return errors.New("usage: ombc-load keygen DIR | ombc-load run [flags] REQUEST.json | ombc-load tokens KEY AUD N")
	}
	switch args[0] {
	case "keygen":
		if len(args) != 2 {
			return errors.New("usage: ombc-load keygen DIR")
		}
		return keygen(args[1])
	case "run":
		return load(ctx, args[1:], stdout, stderr)
	case "tokens":
		return tokens(args[1:], stdout)
	default:
		return fmt.Errorf("unknown command %q", args[0])
	}
}

// keygen writes an ES256 (P-256) key: CDS Hooks recommends ES384 and RS384,
// but on the load generator's side of a 2-core machine signing cost matters,
// and Go signs and verifies P-256 in tens of microseconds against about a
// millisecond for P-384 (the service's cost per algorithm is measured by
// BenchmarkHookTypical). The trust file names ES256 for this issuer only.
//
// keygen writes DIR/key.pem (the private key the load generator signs with),
// DIR/jwks.json (its public JWK Set) and DIR/trust.json (a trust file for
// the service naming that issuer).
func keygen(dir string) error {
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return err
	}
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return err
	}
	der, err := x509.MarshalECPrivateKey(key)
	if err != nil {
		return err
	}
	if err := os.WriteFile(filepath.Join(dir, "key.pem"), pem.EncodeToMemory(&pem.Block{Type: "EC PRIVATE KEY", Bytes: der}), 0o600); err != nil {
		return err
	}
	pub, err := key.PublicKey.Bytes() // uncompressed point 0x04 || X || Y
	if err != nil {
		return err
	}
	n := (len(pub) - 1) / 2
	b64 := base64.RawURLEncoding.EncodeToString
	jwks := map[string]any{"keys": []map[string]string{{
		"kty": "EC", "crv": "P-256", "kid": keyID, "alg": "ES256", "use": "sig",
		"x": b64(pub[1 : 1+n]), "y": b64(pub[1+n:]),
	}}}
	if err := writeJSON(filepath.Join(dir, "jwks.json"), jwks); err != nil {
		return err
	}
	trust := map[string]any{"issuers": []map[string]any{{
		"issuer": issuer, "jwksFile": "jwks.json", "algorithms": []string{"ES256"},
	}}}
	return writeJSON(filepath.Join(dir, "trust.json"), trust)
}

func writeJSON(path string, v any) error {
	b, err := json.MarshalIndent(v, "", "  ")
	if err != nil {
		return err
	}
	return os.WriteFile(path, append(b, '\n'), 0o644)
}

func readKey(path string) (*ecdsa.PrivateKey, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	block, _ := pem.Decode(b)
	if block == nil {
		return nil, fmt.Errorf("%s: no PEM block", path)
	}
	return x509.ParseECPrivateKey(block.Bytes)
}

// tokens prints n tokens signed with the key in keyFile for audience aud,
// one per line, each with its own jti, for load generators that cannot sign
// (scripts/loadtest-wrk.sh feeds them to wrk).
func tokens(args []string, stdout io.Writer) error {
	if len(args) != 3 {
		return errors.New("usage: ombc-load tokens KEY AUD N")
	}
	n, err := strconv.Atoi(args[2])
	if err != nil || n <= 0 {
		return fmt.Errorf("token count %q: want a positive integer", args[2])
	}
	key, err := readKey(args[0])
	if err != nil {
		return err
	}
	w := bufio.NewWriter(stdout)
	stamp := time.Now().UnixNano()
	for i := range n {
		tok, err := sign(key, args[1], fmt.Sprintf("wrk-%d-%d", stamp, i))
		if err != nil {
			return err
		}
		w.WriteString(tok)
		w.WriteByte('\n')
	}
	return w.Flush()
}

// load runs the load test.
func load(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("ombc-load run", flag.ContinueOnError)
	fs.SetOutput(stderr)
	base := fs.String("base-url", "http://127.0.0.1:8080", "service base URL (loopback only)")
	service := fs.String("service", "ombc-patient-view", "service id")
	keyFile := fs.String("key", "", "private key from keygen (no key: send no JWT)")
	clients := fs.Int("clients", 32, "concurrent clients")
	duration := fs.Duration("duration", 30*time.Second, "how long to send requests")
	maxRequests := fs.Int("max-requests", 5_000_000, "stop after this many requests in all")
	presign := fs.Int("presign", 150_000, "tokens signed before the clock starts (each used once); more are signed on the fly")
	rate := fs.Float64("rate", 0, "open loop: start this many requests per second whatever the answers (0: closed loop, each client sends when its last answer arrives); latency is measured from the scheduled start, so a slow service cannot hide its queue")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if fs.NArg() != 1 {
		return errors.New("run needs one REQUEST.json")
	}
	if !isLoopback(*base) {
		return fmt.Errorf("%s is not a loopback URL: load is only ever sent to this machine", *base)
	}
	body, err := os.ReadFile(fs.Arg(0))
	if err != nil {
		return err
	}
	var key *ecdsa.PrivateKey
	if *keyFile != "" {
		if key, err = readKey(*keyFile); err != nil {
			return err
		}
	}
	target := strings.TrimRight(*base, "/") + "/cds-services/" + *service
	client := &http.Client{
		Timeout:   10 * time.Second,
		Transport: &http.Transport{MaxIdleConnsPerHost: *clients, MaxConnsPerHost: *clients},
	}
	// Tokens are signed before the measured window: signing is the EHR's
	// cost, and on a 2-core machine the load generator's signing would
	// otherwise compete with the service it measures. Every token is still
	// unique (jti) and used once, so the service verifies each one fully.
	tokens := make(chan string, *presign)
	if key != nil {
		for i := range *presign {
			tok, err := sign(key, target, fmt.Sprintf("pre-%d-%d", i, time.Now().UnixNano()))
			if err != nil {
				return err
			}
			tokens <- tok
		}
	}
	memBefore := scrapeRSS(client, *base)

	ctx, cancel := context.WithTimeout(ctx, *duration)
	defer cancel()
	var (
		mu        sync.Mutex
		latencies []time.Duration
		statuses  = map[int]int{}
		failures  = map[string]int{}
		sent      int
	)
	start := time.Now()
	// In open-loop mode a ticker schedules the starts; the clients are then
	// only the maximum concurrency. A start the clients cannot take in time
	// still counts its waiting in the latency (no coordinated omission).
	var schedule chan time.Time
	if *rate > 0 {
		schedule = make(chan time.Time, 1<<16)
		go func() {
			defer close(schedule)
			interval := time.Duration(float64(time.Second) / *rate)
			next := time.Now()
			for ctx.Err() == nil {
				if d := time.Until(next); d > 0 {
					time.Sleep(d)
				}
				select {
				case schedule <- next:
				default: // the backlog is full: the service is far behind
				}
				next = next.Add(interval)
			}
		}()
	}
	var wg sync.WaitGroup
	for c := range *clients {
		wg.Add(1)
		go func() {
			defer wg.Done()
			var local []time.Duration
			localStatus := map[int]int{}
			localFail := map[string]int{}
			for i := 0; ctx.Err() == nil; i++ {
				scheduled := time.Time{}
				if schedule != nil {
					t, ok := <-schedule
					if !ok {
						break
					}
					scheduled = t
				}
				mu.Lock()
				if sent >= *maxRequests {
					mu.Unlock()
					break
				}
				sent++
				mu.Unlock()
				req, _ := http.NewRequest(http.MethodPost, target, bytes.NewReader(body))
				req.Header.Set("Content-Type", "application/json")
				if key != nil {
					var tok string
					select {
					case tok = <-tokens:
					default:
						var err error
						tok, err = sign(key, target, fmt.Sprintf("c%d-r%d-%d", c, i, time.Now().UnixNano()))
						if err != nil {
							localFail["sign"]++
							continue
						}
					}
					req.Header.Set("Authorization", "Bearer "+tok)
				}
				t0 := time.Now()
				if !scheduled.IsZero() {
					t0 = scheduled
				}
				resp, err := client.Do(req)
				if err != nil {
					if ctx.Err() == nil {
						localFail[shortErr(err)]++
					}
					continue
				}
				_, _ = io.Copy(io.Discard, resp.Body)
				resp.Body.Close()
				local = append(local, time.Since(t0))
				localStatus[resp.StatusCode]++
			}
			mu.Lock()
			latencies = append(latencies, local...)
			for k, v := range localStatus {
				statuses[k] += v
			}
			for k, v := range localFail {
				failures[k] += v
			}
			mu.Unlock()
		}()
	}
	wg.Wait()
	elapsed := time.Since(start)
	memAfter := scrapeRSS(client, *base)

	slices.Sort(latencies)
	pct := func(p float64) time.Duration {
		if len(latencies) == 0 {
			return 0
		}
		return latencies[min(len(latencies)-1, int(p*float64(len(latencies))))]
	}
	errorsN := 0
	for code, n := range statuses {
		if code != http.StatusOK {
			errorsN += n
		}
	}
	for _, n := range failures {
		errorsN += n
	}
	mode := "closed loop"
	if *rate > 0 {
		mode = fmt.Sprintf("open loop at %.0f/s", *rate)
	}
	fmt.Fprintf(stdout, "requests:    %d in %s with %d clients, %s (JWT: %t)\n", len(latencies), elapsed.Round(time.Millisecond), *clients, mode, key != nil)
	fmt.Fprintf(stdout, "throughput:  %.0f requests/s\n", float64(len(latencies))/elapsed.Seconds())
	fmt.Fprintf(stdout, "latency:     p50 %s  p90 %s  p99 %s  max %s\n", pct(.50), pct(.90), pct(.99), pct(1))
	fmt.Fprintf(stdout, "statuses:    %v\n", statuses)
	fmt.Fprintf(stdout, "errors:      %d %v\n", errorsN, failures)
	if memBefore > 0 && memAfter > 0 {
		fmt.Fprintf(stdout, "service RSS: %.1f MiB before, %.1f MiB after\n", memBefore/(1<<20), memAfter/(1<<20))
	}
	if errorsN > 0 {
		return fmt.Errorf("%d errors", errorsN)
	}
	return nil
}

// sign mints a client JWT as an EHR would (CDS Hooks 2.0 §Trusting CDS
// Clients): ES256, kid, aud = the endpoint URL, 5-minute lifetime, unique jti.
func sign(key *ecdsa.PrivateKey, aud, jti string) (string, error) {
	now := time.Now()
	t := jwt.NewWithClaims(jwt.SigningMethodES256, jwt.MapClaims{
		"iss": issuer, "aud": aud, "iat": now.Unix(), "exp": now.Add(5 * time.Minute).Unix(), "jti": jti,
	})
	t.Header["kid"] = keyID
	return t.SignedString(key)
}

// isLoopback reports whether base names this machine: load and stress
// traffic is only ever sent to loopback addresses.
func isLoopback(base string) bool {
	u, err := url.Parse(base)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") {
		return false
	}
	host := u.Hostname()
	if host == "localhost" {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

func shortErr(err error) string {
	s := err.Error()
	if i := strings.LastIndex(s, ": "); i >= 0 {
		s = s[i+2:]
	}
	return s
}

// scrapeRSS reads process_resident_memory_bytes from the service's /metrics.
func scrapeRSS(c *http.Client, base string) float64 {
	resp, err := c.Get(strings.TrimRight(base, "/") + "/metrics")
	if err != nil {
		return 0
	}
	defer resp.Body.Close()
	sc := bufio.NewScanner(resp.Body)
	for sc.Scan() {
		if v, ok := strings.CutPrefix(sc.Text(), "process_resident_memory_bytes "); ok {
			f, err := strconv.ParseFloat(strings.TrimSpace(v), 64)
			if err == nil {
				return f
			}
		}
	}
	return 0
}
