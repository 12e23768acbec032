package main

import (
	"flag"
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"
)

// envFlags is a flag.FlagSet whose every flag has an environment-variable
// twin: the variable sets the default, the flag overrides it. Keeping both in
// one place means --help, the README table and the code cannot drift apart
// (TestREADMEConfigTable checks the README against this list).
type envFlags struct {
	fs     *flag.FlagSet
	getenv func(string) string
	specs  []flagSpec
	errs   []error
}

// flagSpec documents one flag for --help and the README.
type flagSpec struct {
	Name, Env, Default, Usage string
}

func newEnvFlags(name string, getenv func(string) string, out io.Writer) *envFlags {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(out)
	return &envFlags{fs: fs, getenv: getenv}
}

func (e *envFlags) record(name, env, def, usage string) string {
	e.specs = append(e.specs, flagSpec{Name: name, Env: env, Default: def, Usage: usage})
	return fmt.Sprintf("%s (env %s)", usage, env)
}

func (e *envFlags) envValue(env string) (string, bool) {
	v := e.getenv(env)
	return v, v != ""
}

func (e *envFlags) String(p *string, name, env, def, usage string) {
	if v, ok := e.envValue(env); ok {
		def = v
	}
	e.fs.StringVar(p, name, def, e.record(name, env, def, usage))
}

func (e *envFlags) Bool(p *bool, name, env string, def bool, usage string) {
	if v, ok := e.envValue(env); ok {
		b, err := strconv.ParseBool(v)
		if err != nil {
			e.errs = append(e.errs, fmt.Errorf("%s=%q: not a boolean", env, v))
		} else {
			def = b
		}
	}
	e.fs.BoolVar(p, name, def, e.record(name, env, strconv.FormatBool(def), usage))
}

func (e *envFlags) Int(p *int, name, env string, def int, usage string) {
	if v, ok := e.envValue(env); ok {
		n, err := strconv.Atoi(v)
		if err != nil {
			e.errs = append(e.errs, fmt.Errorf("%s=%q: not an integer", env, v))
		} else {
			def = n
		}
	}
	e.fs.IntVar(p, name, def, e.record(name, env, strconv.Itoa(def), usage))
}

func (e *envFlags) Int64(p *int64, name, env string, def int64, usage string) {
	if v, ok := e.envValue(env); ok {
		n, err := strconv.ParseInt(v, 10, 64)
		if err != nil {
			e.errs = append(e.errs, fmt.Errorf("%s=%q: not an integer", env, v))
		} else {
			def = n
		}
	}
	e.fs.Int64Var(p, name, def, e.record(name, env, strconv.FormatInt(def, 10), usage))
}

func (e *envFlags) Duration(p *time.Duration, name, env string, def time.Duration, usage string) {
	if v, ok := e.envValue(env); ok {
		d, err := parseDuration(v)
		if err != nil {
			e.errs = append(e.errs, fmt.Errorf("%s=%q: %v", env, v, err))
		} else {
			def = d
		}
	}
	e.fs.Func(name, e.record(name, env, formatDuration(def), usage), func(s string) error {
		d, err := parseDuration(s)
		if err != nil {
			return err
		}
		*p = d
		return nil
	})
	*p = def
}

// parse parses args after the environment, returning the first problem.
func (e *envFlags) parse(args []string) error {
	if len(e.errs) > 0 {
		return usageError{e.errs[0].Error()}
	}
	if err := e.fs.Parse(args); err != nil {
		if err == flag.ErrHelp {
			return err
		}
		return usageError{err.Error()}
	}
	return nil
}

// parseDuration accepts Go durations ("90s", "2h") and whole days ("60d"),
// because clinical windows are stated in days.
func parseDuration(s string) (time.Duration, error) {
	s = strings.TrimSpace(s)
	if n, ok := strings.CutSuffix(s, "d"); ok {
		days, err := strconv.Atoi(n)
		if err != nil || days < 0 {
			return 0, fmt.Errorf("bad duration %q", s)
		}
		return time.Duration(days) * 24 * time.Hour, nil
	}
	d, err := time.ParseDuration(s)
	if err != nil || d < 0 {
		return 0, fmt.Errorf("bad duration %q", s)
	}
	return d, nil
}

func formatDuration(d time.Duration) string {
	if d != 0 && d%(24*time.Hour) == 0 {
		return strconv.Itoa(int(d/(24*time.Hour))) + "d"
	}
	return d.String()
}
