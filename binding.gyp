{
  "targets": [
    {
      "target_name": "relay",
      "sources": ["actors/net/relay.c"],
      "cflags": ["-O2", "-Wall", "-Wextra"],
      "conditions": [["OS!='linux'", {"type": "none"}]]
    }
  ]
}
