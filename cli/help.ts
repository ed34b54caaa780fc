export const MAIN_HELP = `kubeactor — a Kubernetes control plane as XState actors on a message bus

Usage:
  kubeactor up [flags]              run a cluster (in-process bus by default; --bus nats://HOST:PORT for NATS)
  kubeactor node --bus nats://… --name NAME [--count K]
                                    run simulated nodes that join a control plane over NATS
  kubeactor explain-schedule POD    why the scheduler put a pod where it did (or could not)
  kubeactor kubeconfig --user NAME [--group G]…
                                    write a kubeconfig for a new user (a client certificate from the cluster CA)
  kubeactor kubeconfigs [--data-dir DIR]
                                    list the kubeconfig of every apiserver (up --role apiserver)
  kubeactor replay FILE…            read, verify or inspect a recorded message log
  kubeactor simulate [--seed N]     run a whole cluster in virtual time with injected faults, checking invariants
  kubeactor nats-config             print a nats-server configuration (users, permissions) for a cluster
  kubeactor help COMMAND            show a command's flags
  kubeactor --version

Run "kubeactor COMMAND --help" for the flags of a command.`;
