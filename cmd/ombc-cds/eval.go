package main

import (
	"bytes"
	"context"
	"crypto/sha1"
	"encoding/json"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"sort"
	"strings"
	"sync"
	"text/tabwriter"
	"time"

	"ombc-cds/cdshooks"
	"ombc-cds/fhirmap"
	"ombc-cds/fhirsearch"
	"ombc-cds/logic"
)

// runEval runs the hook's clinical path over FHIR Bundles on disk: each
// bundle is split into the discovery prefetch keys exactly as an EHR would
// answer the templates (fhirsearch), then mapped (fhirmap), classified and
// evaluated (logic) and turned into cards (cdshooks).
func runEval(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	ef := newEnvFlags("ombc-cds eval", getenv, stderr)
	var (
		nowFlag, boardCodes string
		asJSON, brief       bool
		workers             int
		progress            string
		pet, admin, denovo  time.Duration
	)
	def := logic.DefaultConfig()
	ef.String(&nowFlag, "now", "OMBC_EVAL_NOW", "", "evaluation date, RFC 3339 or YYYY-MM-DD (default: the current time); set it for reproducible runs")
	ef.Bool(&asJSON, "json", "OMBC_EVAL_JSON", false, "print one JSON line per patient holding the exact CDS Hooks response")
	ef.Bool(&brief, "brief", "OMBC_EVAL_BRIEF", false, "print one line per patient (file, classification, cards) instead of the full text")
	ef.Int(&workers, "workers", "OMBC_EVAL_WORKERS", runtime.GOMAXPROCS(0), "bundles processed concurrently")
	ef.String(&progress, "progress", "OMBC_EVAL_PROGRESS", "auto", "progress bar on stderr: auto (when stderr is a terminal), always, never")
	ef.Duration(&pet, "pet-window", "OMBC_PET_WINDOW", def.PETWindow, "staging-imaging PET window")
	ef.Duration(&admin, "administration-window", "OMBC_ADMINISTRATION_WINDOW", def.AdministrationWindow, "MedicationAdministration activity window")
	ef.Duration(&denovo, "de-novo-window", "OMBC_DE_NOVO_WINDOW", def.DeNovoWindow, "de novo window")
	ef.String(&boardCodes, "tumor-board-codes", "OMBC_TUMOR_BOARD_CODES", "", "comma-separated system|code list marking tumour-board records")
	ef.fs.Usage = func() {
		fmt.Fprintf(ef.fs.Output(), "Usage: ombc-cds eval [flags] FILE|DIR...\n\n"+
			"Reads FHIR Bundles (files, or folders of *.json such as a Synthea output folder), runs the same path\n"+
			"the hook runs and prints each patient's classification and cards, then a population summary. Flags:\n")
		ef.fs.PrintDefaults()
	}
	if err := ef.parse(args); err != nil {
		return err
	}
	if ef.fs.NArg() == 0 {
		return usageError{"eval needs at least one FILE or DIR"}
	}
	now := time.Now().UTC()
	if nowFlag != "" {
		t, err := parseDay(nowFlag)
		if err != nil {
			return usageError{"--now: " + err.Error()}
		}
		now = t
	}
	codes, err := parseCodes(boardCodes)
	if err != nil {
		return usageError{"--tumor-board-codes: " + err.Error()}
	}
	if workers < 1 {
		workers = 1
	}
	files, err := listBundles(ef.fs.Args())
	if err != nil {
		return err
	}
	mapOpts := fhirmap.DefaultOptions()
	mapOpts.TumorBoardCodes = append(mapOpts.TumorBoardCodes, codes...)
	e := &evaluator{
		engine: engine{
			mapOpts:  mapOpts,
			rules:    logic.Rules(),
			logicCfg: logic.Config{PETWindow: pet, AdministrationWindow: admin, DeNovoWindow: denovo},
		},
		templates: fhirmap.Templates(),
		now:       now,
		json:      asJSON,
		brief:     brief,
	}
	bar := newProgress(stderr, progress, len(files))
	sum := newSummary()
	err = forEachOrdered(ctx, files, workers, e.file, func(r fileResult) error {
		bar.step()
		sum.add(r)
		_, werr := stdout.Write(r.out)
		return werr
	})
	bar.done()
	if err != nil {
		return err
	}
	if asJSON {
		return nil
	}
	return sum.write(stdout, now)
}

// engine is the clinical path the hook and eval share: map FHIR to the
// patient model, then run the rules.
type engine struct {
	mapOpts  fhirmap.Options
	rules    []logic.Rule
	logicCfg logic.Config
}

// listBundles expands the arguments into bundle file paths: files as given,
// folders walked for *.json files (sorted, so runs are reproducible). Only
// names are held, never the bundles, so a folder of many thousands of
// patients streams.
func listBundles(args []string) ([]string, error) {
	var files []string
	for _, a := range args {
		info, err := os.Stat(a)
		if err != nil {
			return nil, err
		}
		if !info.IsDir() {
			files = append(files, a)
			continue
		}
		var found []string
		err = filepath.WalkDir(a, func(p string, d fs.DirEntry, err error) error {
			if err != nil {
				return err
			}
			if !d.IsDir() && strings.EqualFold(filepath.Ext(p), ".json") {
				found = append(found, p)
			}
			return nil
		})
		if err != nil {
			return nil, err
		}
		sort.Strings(found)
		files = append(files, found...)
	}
	return files, nil
}

// evaluator processes one bundle file.
type evaluator struct {
	engine
	templates map[string]string
	now       time.Time
	json      bool
	brief     bool
}

// patientResult is what one patient contributes to the summary.
type patientResult struct {
	class        string
	inScope      bool // a valid breast primary and alive: the rules speak
	breastCancer bool // a valid breast-cancer primary, alive or not
	metastatic   bool
	deceased     bool
	codes        []string
}

// fileResult is one file's printed output and summary contribution.
type fileResult struct {
	path     string
	out      []byte
	skipped  string // reason when the whole file was skipped
	patients []patientResult
	errs     []string // per-patient failures
}

func (e *evaluator) file(path string) fileResult {
	r := fileResult{path: path}
	data, err := os.ReadFile(path)
	if err != nil {
		r.skipped = "unreadable"
		r.out = fmt.Appendf(nil, "== %s\nskipped: %v\n\n", path, err)
		return r
	}
	// The index keeps slices of data rather than copies; both are dropped
	// when this file is done, so memory stays bounded by the workers.
	idx, err := fhirsearch.NewIndex(data)
	if err != nil {
		r.skipped = "not a FHIR Bundle"
		if !e.json {
			r.out = fmt.Appendf(nil, "== %s\nskipped: not a FHIR Bundle: %v\n\n", path, err)
		}
		return r
	}
	ids := idx.PatientIDs()
	if len(ids) == 0 {
		r.skipped = "no Patient resource"
		if !e.json {
			r.out = fmt.Appendf(nil, "== %s\nskipped: no Patient resource\n\n", path)
		}
		return r
	}
	var buf bytes.Buffer
	for _, id := range ids {
		pr, err := e.patient(&buf, path, idx, id)
		if err != nil {
			r.errs = append(r.errs, err.Error())
			if !e.json {
				fmt.Fprintf(&buf, "== %s Patient/%s\nskipped: %v\n\n", path, id, err)
			}
			continue
		}
		r.patients = append(r.patients, pr)
	}
	r.out = buf.Bytes()
	return r
}

func (e *evaluator) patient(w *bytes.Buffer, path string, idx *fhirsearch.Index, id string) (patientResult, error) {
	prefetch, err := idx.Prefetch(e.templates, id)
	if err != nil {
		return patientResult{}, fmt.Errorf("prefetch: %w", err)
	}
	p, err := e.engine.patient(prefetch)
	if err != nil {
		return patientResult{}, fmt.Errorf("map: %w", err)
	}
	a := logic.Classify(p, e.now, e.logicCfg)
	recs := logic.Evaluate(e.rules, p, e.now, e.logicCfg)
	pr := patientResult{class: classLabel(a), inScope: a.InScope, breastCancer: len(a.Primaries) > 0,
		metastatic: a.Metastatic, deceased: p.Deceased}
	for _, rec := range recs {
		pr.codes = append(pr.codes, rec.Code)
	}
	if e.json {
		hookInstance := evalHookInstance(path, id)
		cards, err := cdshooks.Cards(recs, hookInstance, fhirmap.Draft, id)
		if err != nil {
			return patientResult{}, fmt.Errorf("cards: %w", err)
		}
		line, err := json.Marshal(struct {
			File           string            `json:"file"`
			PatientID      string            `json:"patientId"`
			Classification string            `json:"classification"`
			Response       cdshooks.Response `json:"response"`
		}{path, id, pr.class, cdshooks.Response{Cards: cards}})
		if err != nil {
			return patientResult{}, err
		}
		w.Write(line)
		w.WriteByte('\n')
		return pr, nil
	}
	if e.brief {
		class := pr.class
		if !a.InScope {
			class = "out of scope: " + a.OutOfScopeReason
		}
		fmt.Fprintf(w, "%s\t%s\t%s\n", filepath.Base(path), class, orNone(strings.Join(pr.codes, ", ")))
		return pr, nil
	}
	fmt.Fprintf(w, "== %s Patient/%s\n", path, id)
	writeAssessment(w, p, a)
	if len(recs) == 0 {
		fmt.Fprintln(w, "cards: none")
	} else {
		fmt.Fprintf(w, "cards (%d):\n", len(recs))
		for _, rec := range recs {
			fmt.Fprintf(w, "  [%s] %s: %s\n", rec.Indicator, rec.Code, rec.Summary)
		}
	}
	w.WriteByte('\n')
	return pr, nil
}

// classLabel names the classification in the words eval prints.
func classLabel(a logic.Assessment) string {
	if a.Class.String() == "none" {
		return "not metastatic"
	}
	return a.Class.String()
}

// writeAssessment prints the classification in words.
func writeAssessment(w io.Writer, p logic.Patient, a logic.Assessment) {
	if !a.InScope {
		fmt.Fprintf(w, "classification: out of scope (%s)\n", a.OutOfScopeReason)
		return
	}
	lesions := "unknown"
	if a.DistantLesions >= 0 {
		lesions = fmt.Sprint(a.DistantLesions)
	}
	var sites []string
	for _, s := range a.DistantSites {
		sites = append(sites, s.String())
	}
	fmt.Fprintf(w, "classification: %s; distant lesions: %s; distant sites: %s; de novo: %t\n",
		classLabel(a), lesions, orNone(strings.Join(sites, ", ")), a.DeNovo)
	for _, f := range a.Prognostic {
		fmt.Fprintf(w, "  %s: %s\n", f.Name, f.Value)
	}
	if len(p.Skipped) > 0 {
		fmt.Fprintf(w, "  data quality: %d resource(s) skipped\n", len(p.Skipped))
	}
}

func orNone(s string) string {
	if s == "" {
		return "none"
	}
	return s
}

// evalHookInstance gives eval's cards stable uuids: a name-based UUID of the
// file and patient, so two runs over the same data print the same JSON.
func evalHookInstance(path, patientID string) string {
	h := sha1.Sum([]byte("ombc-cds eval\x00" + filepath.Base(path) + "\x00" + patientID))
	h[6] = h[6]&0x0f | 0x50
	h[8] = h[8]&0x3f | 0x80
	return fmt.Sprintf("%x-%x-%x-%x-%x", h[0:4], h[4:6], h[6:8], h[8:10], h[10:16])
}

// forEachOrdered runs work over items on n goroutines and hands the results
// to emit in input order. At most 2n items are in flight or waiting, so
// memory stays bounded however many items there are.
func forEachOrdered[T, R any](ctx context.Context, items []T, n int, work func(T) R, emit func(R) error) error {
	type result struct {
		i int
		r R
	}
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	slots := make(chan struct{}, 2*n)
	jobs := make(chan int)
	results := make(chan result)
	var wg sync.WaitGroup
	for range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range jobs {
				select {
				case results <- result{i, work(items[i])}:
				case <-ctx.Done():
					return
				}
			}
		}()
	}
	go func() {
		defer close(jobs)
		for i := range items {
			select {
			case slots <- struct{}{}:
			case <-ctx.Done():
				return
			}
			select {
			case jobs <- i:
			case <-ctx.Done():
				return
			}
		}
	}()
	go func() { wg.Wait(); close(results) }()

	pending := map[int]R{}
	next := 0
	for res := range results {
		pending[res.i] = res.r
		for {
			r, ok := pending[next]
			if !ok {
				break
			}
			delete(pending, next)
			next++
			<-slots
			if err := emit(r); err != nil {
				cancel()
				for range results {
				}
				return err
			}
		}
	}
	if next < len(items) {
		return ctx.Err()
	}
	return nil
}

// summary is the population table printed at the end of eval.
type summary struct {
	files, patients, breastCancer, inScope, metastatic, deceased int
	skipped                                                      map[string]int
	classes                                                      map[string]int
	cards                                                        map[string]int
}

func newSummary() *summary {
	return &summary{skipped: map[string]int{}, classes: map[string]int{}, cards: map[string]int{}}
}

func (s *summary) add(r fileResult) {
	s.files++
	if r.skipped != "" {
		s.skipped[r.skipped]++
	}
	for _, e := range r.errs {
		s.skipped["patient not evaluated: "+firstLine(e)]++
	}
	for _, p := range r.patients {
		s.patients++
		if p.deceased {
			s.deceased++
		}
		if p.breastCancer {
			s.breastCancer++
		}
		if !p.inScope {
			continue
		}
		s.inScope++
		if p.metastatic {
			s.metastatic++
		}
		s.classes[p.class]++
		for _, c := range p.codes {
			s.cards[c]++
		}
	}
}

func firstLine(s string) string {
	s, _, _ = strings.Cut(s, "\n")
	if len(s) > 80 {
		s = s[:80] + "..."
	}
	return s
}

func (s *summary) write(w io.Writer, now time.Time) error {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintf(tw, "== population summary (evaluated at %s)\n", now.Format(time.RFC3339))
	fmt.Fprintf(tw, "files read\t%d\n", s.files)
	fmt.Fprintf(tw, "patients evaluated\t%d\n", s.patients)
	for _, k := range sortedKeys(s.skipped) {
		fmt.Fprintf(tw, "skipped: %s\t%d\n", k, s.skipped[k])
	}
	fmt.Fprintf(tw, "with breast cancer\t%d\n", s.breastCancer)
	fmt.Fprintf(tw, "deceased (no cards)\t%d\n", s.deceased)
	fmt.Fprintf(tw, "alive with breast cancer (rules applied)\t%d\n", s.inScope)
	fmt.Fprintf(tw, "  metastatic\t%d\n", s.metastatic)
	for _, k := range sortedKeys(s.classes) {
		fmt.Fprintf(tw, "  classification %s\t%d\n", k, s.classes[k])
	}
	fmt.Fprintln(tw, "cards fired by rule code\t")
	for _, r := range logic.Rules() {
		fmt.Fprintf(tw, "  %s\t%d\n", r.Code, s.cards[r.Code])
	}
	return tw.Flush()
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}

// progress draws a one-line progress bar on a terminal.
type progress struct {
	w          io.Writer
	on         bool
	total, n   int
	lastDrawn  time.Time
	lastFilled int
}

func newProgress(w io.Writer, mode string, total int) *progress {
	on := mode == "always"
	if mode == "auto" {
		if f, ok := w.(*os.File); ok {
			if st, err := f.Stat(); err == nil && st.Mode()&os.ModeCharDevice != 0 {
				on = true
			}
		}
	}
	return &progress{w: w, on: on && total > 1, total: total, lastFilled: -1}
}

func (p *progress) step() {
	if !p.on {
		return
	}
	p.n++
	if time.Since(p.lastDrawn) < 100*time.Millisecond && p.n != p.total {
		return
	}
	p.lastDrawn = time.Now()
	const width = 30
	filled := p.n * width / p.total
	fmt.Fprintf(p.w, "\r[%s%s] %d/%d bundles", strings.Repeat("#", filled), strings.Repeat(".", width-filled), p.n, p.total)
}

func (p *progress) done() {
	if p.on {
		fmt.Fprintln(p.w)
	}
}
