export const MAIN_HELP = `kubeactor — a Kubernetes control plane as XState actors on a message bus

Usage:
  kubeactor up [flags]        run a cluster (in-process bus by default; --bus nats://HOST:PORT for NATS)
  kubeactor replay FILE…      read, verify or inspect a recorded message log
  kubeactor nats-config       print a nats-server configuration (users, permissions) for a cluster
  kubeactor help <command>    show a command's flags
  kubeactor --version

Run "kubeactor <command> --help" for the flags of a command.`;
