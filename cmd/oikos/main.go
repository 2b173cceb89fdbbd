// Command oikos is the whole of Oikos in one binary: the web server, the
// JSON and standard APIs, and the administration commands.
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
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	err := run(ctx, os.Args[1:], os.Getenv, os.Stdin, os.Stdout, os.Stderr)
	stop()
	if errors.Is(err, flag.ErrHelp) {
		os.Exit(0)
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "oikos:", err)
		os.Exit(1)
	}
}

const usage = `Oikos: software for social prescribing.

Usage:
  oikos serve    [--addr 127.0.0.1:8080] [--db URL]   migrate, then serve until SIGINT/SIGTERM
  oikos migrate  [--db URL]                           bring the schema up to date
  oikos demo     [--db URL]                           load demo organisations and users
  oikos user add --email E --name N --role ROLE [--org ORG_ID] [--password-stdin]
  oikos token create --email E [--label TEXT]         print a new API token
  oikos import oruk FILE|URL [--db URL]               import an HSDS 3 / ORUK document or API
  oikos import postcodes FILE [--db URL]              import full postcodes from the ONS Postcode Directory CSV
  oikos import population FILE [--db URL]             import population figures for the fair-coverage report
  oikos backup FILE [--db URL]                        consistent online copy of the database
  oikos audit verify [--db URL] [--audit-key KEY] [--audit-anchor FILE]
                                                      check the audit log's chain, seals and anchors
  oikos retention run [--retention-years N] [--db URL] erase people whose every referral closed more than N years ago

--db defaults to $OIKOS_DB, else sqlite:oikos.db; --addr to $OIKOS_ADDR, else 127.0.0.1:8080.
Run "oikos COMMAND --help" for a command's options.
`

// run is the program, with its surroundings passed in so tests can run it
// in-process.
func run(ctx context.Context, args []string, getenv func(string) string, stdin io.Reader, stdout, stderr io.Writer) error {
	if len(args) == 0 {
		fmt.Fprint(stderr, usage)
		return errors.New("no command given")
	}
	e := &env{getenv: getenv, stdin: stdin, stdout: stdout, stderr: stderr}
	// Every command that writes seals its audit entries with the key, not
	// only serve: an unsealed entry after sealed ones breaks the seal.
	if err := e.useAuditKey(""); err != nil {
		return err
	}
	cmd, rest := args[0], args[1:]
	switch cmd {
	case "serve":
		return e.serve(ctx, rest)
	case "migrate":
		return e.migrate(ctx, rest)
	case "demo":
		return e.demo(ctx, rest)
	case "backup":
		return e.backup(ctx, rest)
	case "import":
		return e.importCmd(ctx, rest)
	case "user":
		if len(rest) > 0 && rest[0] == "add" {
			return e.userAdd(ctx, rest[1:])
		}
		return errors.New(`unknown user command: try "oikos user add --help"`)
	case "token":
		if len(rest) > 0 && rest[0] == "create" {
			return e.tokenCreate(ctx, rest[1:])
		}
		return errors.New(`unknown token command: try "oikos token create --help"`)
	case "audit":
		if len(rest) > 0 && rest[0] == "verify" {
			return e.auditVerify(ctx, rest[1:])
		}
		return errors.New(`unknown audit command: try "oikos audit verify --help"`)
	case "retention":
		return e.retentionCmd(ctx, rest)
	case "help", "-h", "--help", "-help":
		fmt.Fprint(stdout, usage)
		return nil
	}
	return fmt.Errorf("unknown command %q: run \"oikos help\" for the list", cmd)
}
