package store

import (
	"bufio"
	"context"
	"fmt"
	"os"
	"os/exec"
	"reflect"
	"strings"
	"syscall"
	"testing"
	"time"

	"ombc-cds/cdshooks"
)

// The SIGKILL tests re-run the test binary as a child process selected by
// these variables: it saves what its mode says (killFeedback, or
// killIssued then a Close or a Report), prints "saved" and waits to be
// killed.
const (
	childKindEnv   = "OMBC_STORE_TEST_CHILD"
	childTargetEnv = "OMBC_STORE_TEST_TARGET"
	childModeEnv   = "OMBC_STORE_TEST_MODE"
)

// Child modes.
const (
	modeFeedback     = "feedback"      // SaveFeedback
	modeIssuedClose  = "issued-close"  // SaveIssued, then Close
	modeIssuedReport = "issued-report" // SaveIssued, then Report (a flush)
)

// killIssued is the card the child issues in the issued-card modes.
func killIssued() []cdshooks.IssuedCard {
	return []cdshooks.IssuedCard{{HookInstance: "hook-before-kill", ServiceID: "ombc-patient-view",
		CardUUID: "card-before-kill", RuleCode: "tumor-board", Issued: at("2025-03-10T10:00:00Z")}}
}

// killFeedback is the item the child saves.
func killFeedback() cdshooks.Feedback {
	return cdshooks.Feedback{
		ServiceID: "ombc-patient-view", Card: "card-before-kill", RuleCode: "tumor-board",
		Outcome: OutcomeAccepted, AcceptedSuggestions: []string{"s1"},
		OutcomeTimestamp: at("2025-03-10T10:00:00.5Z"), Received: at("2025-03-10T10:00:01Z"),
		Issuer: "https://ehr.example.org",
	}
}

// runKillChild is the child: it returns only on failure; on success the
// parent kills it while it sleeps.
func runKillChild(kind, target, mode string) int {
	h, ok := harnessFor(kind)
	if !ok {
		fmt.Fprintf(os.Stderr, "unknown store kind %q\n", kind)
		return 2
	}
	ctx := context.Background()
	// Issued cards stay queued until the Close or the Report, so that
	// what the test checks is the flush, not the background writer.
	s, err := h.open(ctx, target, keepQueued())
	if err != nil {
		fmt.Fprintf(os.Stderr, "open: %v\n", err)
		return 1
	}
	switch mode {
	case modeFeedback:
		err = s.SaveFeedback(ctx, []cdshooks.Feedback{killFeedback()})
	case modeIssuedClose:
		if err = s.SaveIssued(ctx, killIssued()); err == nil {
			err = s.Close()
		}
	case modeIssuedReport:
		if err = s.SaveIssued(ctx, killIssued()); err == nil {
			_, err = s.Report(ctx, at("2025-03-10T00:00:00Z"), at("2025-03-11T00:00:00Z"))
		}
	default:
		err = fmt.Errorf("unknown mode %q", mode)
	}
	if err != nil {
		fmt.Fprintf(os.Stderr, "save: %v\n", err)
		return 1
	}
	fmt.Println("saved")
	time.Sleep(10 * time.Minute)
	return 3
}

func testKillAfterSave(t *testing.T, h harness) {
	target := killChild(t, h, modeFeedback)
	s := openStore(t, h, target)
	got := listAll(t, s)
	want := []cdshooks.Feedback{killFeedback()}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("after SIGKILL:\n got %+v\nwant %+v", got, want)
	}
}

func testKillAfterIssued(t *testing.T, h harness) {
	for _, mode := range []string{modeIssuedClose, modeIssuedReport} {
		t.Run(mode, func(t *testing.T) {
			target := killChild(t, h, mode)
			s := openStore(t, h, target)
			if n := storedIssued(t, s); n != 1 {
				t.Errorf("issued cards stored after SIGKILL = %d, want 1", n)
			}
			if got, err := s.RuleCode(context.Background(), "card-before-kill"); err != nil || got != "tumor-board" {
				t.Errorf("RuleCode after SIGKILL = %q, %v; want tumor-board", got, err)
			}
		})
	}
}

// killChild runs a child in mode on a fresh target, kills it with SIGKILL
// once it has saved, and returns the target.
func killChild(t *testing.T, h harness, mode string) string {
	t.Helper()
	target := h.newTarget(t)
	cmd := exec.Command(os.Args[0], "-test.run=^$")
	cmd.Env = append(os.Environ(), childKindEnv+"="+h.name, childTargetEnv+"="+target, childModeEnv+"="+mode)
	var stderr strings.Builder
	cmd.Stderr = &stderr
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatalf("stdout pipe: %v", err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatalf("start child: %v", err)
	}
	lines := make(chan string, 1)
	go func() {
		sc := bufio.NewScanner(out)
		for sc.Scan() {
			if sc.Text() == "saved" {
				lines <- "saved"
				return
			}
		}
		close(lines)
	}()
	select {
	case line, ok := <-lines:
		if !ok || line != "saved" {
			_ = cmd.Wait()
			t.Fatalf("child exited without saving: %s", stderr.String())
		}
	case <-time.After(2 * time.Minute):
		_ = cmd.Process.Kill()
		_ = cmd.Wait()
		t.Fatalf("child did not report saving; stderr: %s", stderr.String())
	}
	if err := cmd.Process.Kill(); err != nil { // SIGKILL on Unix
		t.Fatalf("kill child: %v", err)
	}
	if err := cmd.Wait(); err == nil {
		t.Fatalf("child exited cleanly; want killed")
	}
	if ws, ok := cmd.ProcessState.Sys().(syscall.WaitStatus); !ok || !ws.Signaled() || ws.Signal() != syscall.SIGKILL {
		t.Errorf("child state = %s, want killed by SIGKILL", cmd.ProcessState)
	}
	return target
}
