// Command ombc-cds is the ombc-cds CDS Hooks service and its tools.
//
//	ombc-cds [serve] [flags]        run the service (the default)
//	ombc-cds eval [flags] FILE|DIR  run the rules over FHIR Bundles without an EHR
//	ombc-cds report [flags]         print feedback analytics per rule code
//
// Every flag has an environment-variable twin (OMBC_*); `ombc-cds <command> --help`
// lists them.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"
)

func main() {
	if err := run(context.Background(), os.Args[1:], os.Getenv, os.Stdin, os.Stdout, os.Stderr, nil); err != nil {
		if !errors.Is(err, flag.ErrHelp) {
			fmt.Fprintln(os.Stderr, "ombc-cds:", err)
		}
		os.Exit(exitCode(err))
	}
}

// exitCode is 0 for --help, 2 for usage errors and 1 for anything else.
func exitCode(err error) int {
	var u usageError
	switch {
	case errors.Is(err, flag.ErrHelp):
		return 0
	case errors.As(err, &u):
		return 2
	default:
		return 1
	}
}

// usageError is a mistake on the command line.
type usageError struct{ msg string }

func (e usageError) Error() string { return e.msg }

// run is main minus the process: tests call it with their own arguments,
// environment, streams and context. ready, when not nil, receives the bound
// address once the server listens.
func run(ctx context.Context, args []string, getenv func(string) string, stdin io.Reader, stdout, stderr io.Writer, ready chan<- string) error {
	ctx, stop := signal.NotifyContext(ctx, os.Interrupt, syscall.SIGTERM)
	defer stop()

	cmd, rest := "serve", args
	if len(args) > 0 {
		switch args[0] {
		case "serve", "eval", "report":
			cmd, rest = args[0], args[1:]
		case "help", "-h", "-help", "--help":
			fmt.Fprint(stdout, topUsage)
			return nil
		}
	}
	switch cmd {
	case "eval":
		return runEval(ctx, rest, getenv, stdout, stderr)
	case "report":
		return runReport(ctx, rest, getenv, stdout, stderr)
	default:
		return runServe(ctx, rest, getenv, stderr, ready)
	}
}

const topUsage = `ombc-cds: CDS Hooks decision support for oligometastatic breast cancer

Usage:
  ombc-cds [serve] [flags]          run the CDS Hooks service (default)
  ombc-cds eval [flags] FILE|DIR... run the rules over FHIR Bundles and print the cards
  ombc-cds report [flags]           print feedback analytics per rule code

Run "ombc-cds <command> --help" for the flags of a command. Every flag has an
environment-variable twin, shown in its help text.
`
