package main

import (
	"fmt"
	"strings"
	"text/tabwriter"
)

// row is one line of the table. A row whose measurement could not be taken
// keeps its error; the table still prints, and the run fails at the end.
type row struct {
	name   string
	figure string
	target string // empty: for information
	met    bool
	err    error
}

type table struct {
	rows  []row
	notes []string
}

func (t *table) add(r row) { t.rows = append(t.rows, r) }

func (t *table) note(format string, args ...any) {
	t.notes = append(t.notes, fmt.Sprintf(format, args...))
}

func (t *table) failed() []row {
	var out []row
	for _, r := range t.rows {
		if r.err != nil {
			out = append(out, r)
		}
	}
	return out
}

func (t *table) String() string {
	var b strings.Builder
	w := tabwriter.NewWriter(&b, 0, 0, 2, ' ', 0)
	fmt.Fprintln(w, "measurement\tfigure\ttarget\t")
	for _, r := range t.rows {
		verdict := ""
		switch {
		case r.err != nil:
			verdict = "NOT MEASURED"
		case r.target == "":
			verdict = ""
		case r.met:
			verdict = "met"
		default:
			verdict = "MISSED"
		}
		fig := r.figure
		if r.err != nil {
			fig = "-"
		}
		fmt.Fprintf(w, "%s\t%s\t%s\t%s\n", r.name, fig, r.target, verdict)
	}
	w.Flush()
	if len(t.notes) > 0 {
		b.WriteString("\nnotes:\n")
		for _, n := range t.notes {
			b.WriteString("  " + n + "\n")
		}
	}
	if f := t.failed(); len(f) > 0 {
		b.WriteString("\nNOT MEASURED:\n")
		for _, r := range f {
			fmt.Fprintf(&b, "  %s: %v\n", strings.TrimSpace(r.name), r.err)
		}
	}
	return b.String()
}

// Row builders. Times are seconds, as hyperfine reports them.

// timeRow shows a median with the range of the runs; limit is in seconds
// (0: for information) and limitText how the target is written.
func timeRow(name string, s stats, limit float64, limitText string, err error) row {
	r := row{name: name, err: err}
	if err == nil {
		r.figure = duration(s)
		if limit > 0 {
			r.target, r.met = "<= "+limitText, s.median <= limit
		}
	}
	return r
}

func ratioRow(name string, num, den stats, limit float64, errs ...error) row {
	r := row{name: name, err: firstErr(errs...)}
	if r.err == nil {
		x := num.median / den.median
		r.figure = fmt.Sprintf("%.2fx", x)
		r.target, r.met = fmt.Sprintf("<= %.1fx", limit), x <= limit
	}
	return r
}

// Sizes in MB are 10^6 bytes, the stricter reading of the targets.
func bytesRow(name string, n int64, limitMB float64, err error) row {
	r := row{name: name, err: err}
	if err == nil {
		r.figure = fmt.Sprintf("%.2f MB (%d B)", float64(n)/1e6, n)
		r.target, r.met = fmt.Sprintf("<= %.1f MB", limitMB), float64(n) <= limitMB*1e6
	}
	return r
}

func duration(s stats) string {
	unit, f, prec := "ms", 1e3, 1
	switch {
	case s.median >= 1:
		unit, f, prec = "s", 1, 2
	case s.median >= 0.1:
		prec = 0
	}
	return fmt.Sprintf("%.*f %s (%.*f-%.*f)", prec, s.median*f, unit, prec, s.min*f, prec, s.max*f)
}

func firstErr(errs ...error) error {
	for _, e := range errs {
		if e != nil {
			return e
		}
	}
	return nil
}
