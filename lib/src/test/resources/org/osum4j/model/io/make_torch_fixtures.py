"""Generates the small torch.save fixtures of TorchCheckpointTest (run once with Debian's torch 1.13:
/usr/bin/python3 make_torch_fixtures.py). Values are arange-based so the test computes them itself."""
import argparse
import collections
import torch

a = torch.arange(24, dtype=torch.float32).reshape(2, 3, 4)
sd = collections.OrderedDict()
sd["contig"] = a
sd["permuted"] = a.permute(2, 0, 1)          # [4, 2, 3], non-contiguous
sd["row1"] = a[1]                            # storage offset 12, contiguous
sd["col"] = a[:, :, 1]                       # [2, 3], stride (12, 4), offset 1
sd["shared"] = a                             # same storage as "contig"
sd["half"] = a.half()
sd["bf16"] = a.bfloat16()
sd["bf16_t"] = a[0].bfloat16().t()           # [4, 3], non-contiguous bf16
sd["f64"] = a.double()
sd["i64"] = torch.arange(5)
sd["i32"] = torch.arange(5, dtype=torch.int32)
sd["i8"] = torch.arange(-2, 3, dtype=torch.int8)
sd["u8"] = torch.arange(5, dtype=torch.uint8)
sd["bool"] = torch.arange(6) % 2 == 0
sd["scalar"] = torch.tensor(3.5)
sd["empty"] = torch.zeros(0, 3)
sd["param"] = torch.nn.Parameter(torch.arange(6.0).reshape(2, 3))

torch.save(sd, "views.pt")
torch.save({"model": sd, "epoch": 3, "note": "x", "lr": 0.5, "betas": (0.9, 0.99), "flag": None,
            "blob": b"\x00\xff"}, "nested.pt")
torch.save({"module": sd, "args": argparse.Namespace(lr=0.1)}, "nested_args.pt")
torch.save(sd, "legacy.pt", _use_new_zipfile_serialization=False)

# DeepSpeed-like model states: weights under "module", trainable parameters as views into one flat buffer
# (as ZeRO-1/2 flattening leaves them), bookkeeping with torch.Size, sets and plain values.
flat = torch.arange(20, dtype=torch.float32)
ds_module = collections.OrderedDict()
ds_module["enc.weight"] = flat[0:12].view(3, 4)
ds_module["enc.bias"] = flat[12:15]
ds_module["proj.weight"] = flat[15:20].view(5, 1)
ds_module["frozen.weight"] = torch.ones(2, 2, dtype=torch.bfloat16)
torch.save({"module": ds_module, "buffer_names": [], "optimizer": None,
            "param_shapes": [collections.OrderedDict((k, v.shape) for k, v in ds_module.items())],
            "sparse_tensor_module_names": set(), "global_steps": 10, "ds_version": "0.14.0",
            "ds_config": {"bf16": {"enabled": True}, "zero_optimization": {"stage": 2}}},
           "deepspeed_like.pt")
