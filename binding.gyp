{
  "targets": [
    {
      "target_name": "relay",
      "sources": ["actors/net/relay.c"],
      "cflags": ["-O2", "-Wall", "-Wextra"],
      "conditions": [["OS!='linux'", {"type": "none"}]]
    },
    {
      "target_name": "connect-shim",
      "type": "shared_library",
      "product_name": "kubeactor-connect",
      "sources": ["actors/runtime/process/connect-shim.c"],
      "cflags": ["-O2", "-Wall", "-Wextra", "-fvisibility=default"],
      "ldflags": ["-pthread"],
      "conditions": [["OS!='linux'", {"type": "none"}]]
    }
  ]
}
