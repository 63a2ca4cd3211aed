# PyTorch CPU reference: wall time of ONE LoRA training step on a random Llama,
# to compare the layerprune engines against (not part of the project or CI).
#
# What one timed step is (everything between two optimizer steps):
#   optimizer.zero_grad(set_to_none=True)
#   forward of a random Llama decoder on a fresh batch of 4 x 128 random token ids
#     16 layers, hidden 768, 12 attention heads / 4 kv heads (GQA, head_dim 64),
#     intermediate 2048 (SwiGLU, silu), vocab 32000, RMSNorm eps 1e-5,
#     RoPE theta 10000 (HF rotate_half layout), untied lm_head, no biases,
#     plain matmul + softmax attention with an additive causal mask,
#     frozen float32 base (requires_grad False everywhere, ~150M parameters);
#   LoRA rank 8, alpha 8 (scaling 1.0) on q,k,v,o,gate,up,down of every layer,
#     PEFT math: out = W x + B(A(dropout(x))) * scaling, one dropout per adapted
#     module (nn.Identity when p = 0), A [r,in] kaiming-uniform(a=sqrt(5)) as in
#     PEFT, B [out,r] normal(std 0.02) instead of zeros so A gets nonzero grads;
#     1,736,704 trainable parameters;
#   loss = mean next-token cross-entropy over the 4 * 127 predicted positions
#     (logits computed for all 128 positions and shifted, as HF does);
#   backward to the LoRA parameters only, optionally with gradient checkpointing
#     (torch.utils.checkpoint around each decoder block, use_reentrant=False);
#   torch.nn.utils.clip_grad_norm_(lora params, 1.0);
#   torch.optim.AdamW(lora params, lr 3e-4, weight_decay 0).step()  (torch defaults otherwise).
# Generating the random ids is outside the timed region. 2 warm-up steps, then
# 5 timed steps; reports the median wall ms/step, tokens/s = 512 / median seconds,
# the median CPU seconds of the process per step (the machine may be shared),
# and the peak RSS of the process (resource.getrusage ru_maxrss).
#
# Threads: --threads N sets OMP_NUM_THREADS / OPENBLAS_NUM_THREADS / MKL_NUM_THREADS
# to N before torch is imported and calls torch.set_num_threads(N) (and
# set_num_interop_threads(1)). Run each configuration in its own process.
#
# Run (from packages/engine-onnx; needs the Debian python3-torch 1.13, i.e.
# /usr/bin/python3, not the pyenv python3 on PATH):
#   /usr/bin/python3 bench/pytorch/lora_step.py --threads 1 --dropout 0 --checkpointing off
# Prints one JSON line per run. `--all` runs the 8 combinations of
# threads {1,2} x dropout {0,0.05} x checkpointing {off,on}, each in its own
# child process, printing their JSON lines and then a Markdown table on stderr.
import argparse
import json
import os
import subprocess
import sys

parser = argparse.ArgumentParser(description="PyTorch CPU reference: one LoRA training step on a random Llama")
parser.add_argument("--threads", type=int, default=1)
parser.add_argument("--dropout", type=float, default=0.0)
parser.add_argument("--checkpointing", choices=["off", "on"], default="off")
parser.add_argument("--warmup", type=int, default=2)
parser.add_argument("--steps", type=int, default=5)
parser.add_argument("--seed", type=int, default=0)
parser.add_argument("--all", action="store_true", help="run all 8 variants, each in its own process")
args = parser.parse_args()

if args.all:
    rows = []
    for threads in (1, 2):
        for dropout in ("0", "0.05"):
            for ckpt in ("off", "on"):
                cmd = [sys.executable, os.path.abspath(__file__), "--threads", str(threads), "--dropout", dropout,
                       "--checkpointing", ckpt, "--warmup", str(args.warmup), "--steps", str(args.steps), "--seed", str(args.seed)]
                out = subprocess.run(cmd, check=True, stdout=subprocess.PIPE, text=True).stdout
                line = out.strip().splitlines()[-1]
                print(line, flush=True)
                rows.append(json.loads(line))
    print("| threads | dropout | checkpointing | median ms/step | tokens/s | CPU s/step | peak RSS MiB |", file=sys.stderr)
    print("|---|---|---|---|---|---|---|", file=sys.stderr)
    for r in rows:
        print(f"| {r['threads']} | {r['dropout']} | {r['checkpointing']} | {r['median_ms']:.0f} | {r['tokens_per_s']:.0f} | "
              f"{r['median_cpu_s']:.2f} | {r['peak_rss_bytes'] / 2**20:.0f} |", file=sys.stderr)
    sys.exit(0)

# Thread settings must be in the environment before torch (libgomp, OpenBLAS) loads.
for var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ[var] = str(args.threads)

import math  # noqa: E402
import resource  # noqa: E402
import statistics  # noqa: E402
import time  # noqa: E402

import torch  # noqa: E402
import torch.nn.functional as F  # noqa: E402
import torch.utils.checkpoint  # noqa: E402

torch.set_num_threads(args.threads)
torch.set_num_interop_threads(1)

L, H, NH, NKV, HD, I, V = 16, 768, 12, 4, 64, 2048, 32000
B, T = 4, 128
EPS, THETA = 1e-5, 10000.0
RANK, ALPHA = 8, 8
SCALING = ALPHA / RANK


class LoraLinear(torch.nn.Module):
    """Frozen bias-free W plus a PEFT-style LoRA branch."""

    def __init__(self, in_f, out_f, dropout):
        super().__init__()
        # Frozen base: uniform(-1/sqrt(in), 1/sqrt(in)), like the TS benchmark's random reader.
        self.weight = torch.nn.Parameter(torch.empty(out_f, in_f).uniform_(-1 / math.sqrt(in_f), 1 / math.sqrt(in_f)),
                                         requires_grad=False)
        self.lora_A = torch.nn.Parameter(torch.empty(RANK, in_f))
        self.lora_B = torch.nn.Parameter(torch.empty(out_f, RANK))
        torch.nn.init.kaiming_uniform_(self.lora_A, a=math.sqrt(5))  # PEFT's init of A
        torch.nn.init.normal_(self.lora_B, std=0.02)  # PEFT uses zeros; nonzero so grad(A) != 0
        self.dropout = torch.nn.Dropout(dropout) if dropout > 0 else torch.nn.Identity()

    def forward(self, x):
        return F.linear(x, self.weight) + F.linear(F.linear(self.dropout(x), self.lora_A), self.lora_B) * SCALING


class RMSNorm(torch.nn.Module):
    def __init__(self):
        super().__init__()
        self.weight = torch.nn.Parameter(torch.ones(H), requires_grad=False)

    def forward(self, x):
        return self.weight * (x * torch.rsqrt(x.pow(2).mean(-1, keepdim=True) + EPS))


def rotate_half(x):
    x1, x2 = x[..., : x.shape[-1] // 2], x[..., x.shape[-1] // 2:]
    return torch.cat((-x2, x1), dim=-1)


class Block(torch.nn.Module):
    def __init__(self, dropout):
        super().__init__()
        self.input_layernorm = RMSNorm()
        self.q_proj = LoraLinear(H, NH * HD, dropout)
        self.k_proj = LoraLinear(H, NKV * HD, dropout)
        self.v_proj = LoraLinear(H, NKV * HD, dropout)
        self.o_proj = LoraLinear(NH * HD, H, dropout)
        self.post_attention_layernorm = RMSNorm()
        self.gate_proj = LoraLinear(H, I, dropout)
        self.up_proj = LoraLinear(H, I, dropout)
        self.down_proj = LoraLinear(I, H, dropout)

    def forward(self, x, cos, sin, mask):
        b, t, _ = x.shape
        n = self.input_layernorm(x)
        q = self.q_proj(n).view(b, t, NH, HD).transpose(1, 2)
        k = self.k_proj(n).view(b, t, NKV, HD).transpose(1, 2)
        v = self.v_proj(n).view(b, t, NKV, HD).transpose(1, 2)
        q = q * cos + rotate_half(q) * sin
        k = k * cos + rotate_half(k) * sin
        # GQA: HF repeat_kv (each kv head serves NH // NKV consecutive query heads)
        k = k[:, :, None].expand(b, NKV, NH // NKV, t, HD).reshape(b, NH, t, HD)
        v = v[:, :, None].expand(b, NKV, NH // NKV, t, HD).reshape(b, NH, t, HD)
        scores = q @ k.transpose(-1, -2) / math.sqrt(HD) + mask
        a = torch.softmax(scores, dim=-1) @ v
        h = x + self.o_proj(a.transpose(1, 2).reshape(b, t, NH * HD))
        n = self.post_attention_layernorm(h)
        return h + self.down_proj(F.silu(self.gate_proj(n)) * self.up_proj(n))


class Model(torch.nn.Module):
    def __init__(self, dropout, checkpointing):
        super().__init__()
        self.checkpointing = checkpointing
        self.embed_tokens = torch.nn.Parameter(torch.empty(V, H).uniform_(-0.05, 0.05), requires_grad=False)
        self.layers = torch.nn.ModuleList(Block(dropout) for _ in range(L))
        self.norm = RMSNorm()
        self.lm_head = torch.nn.Parameter(torch.empty(V, H).uniform_(-0.05, 0.05), requires_grad=False)  # untied
        inv_freq = 1.0 / (THETA ** (torch.arange(0, HD, 2).float() / HD))
        ang = torch.outer(torch.arange(T).float(), inv_freq)
        ang = torch.cat((ang, ang), dim=-1)
        self.register_buffer("cos", ang.cos(), persistent=False)
        self.register_buffer("sin", ang.sin(), persistent=False)
        self.register_buffer("mask", torch.full((T, T), float("-inf")).triu(1), persistent=False)

    def forward(self, ids):
        x = F.embedding(ids, self.embed_tokens)
        for layer in self.layers:
            if self.checkpointing:
                x = torch.utils.checkpoint.checkpoint(layer, x, self.cos, self.sin, self.mask, use_reentrant=False)
            else:
                x = layer(x, self.cos, self.sin, self.mask)
        logits = F.linear(self.norm(x), self.lm_head)
        return F.cross_entropy(logits[:, :-1].reshape(-1, V), ids[:, 1:].reshape(-1))


torch.manual_seed(args.seed)
model = Model(args.dropout, args.checkpointing == "on")
model.train()
lora = [p for p in model.parameters() if p.requires_grad]
frozen = sum(p.numel() for p in model.parameters() if not p.requires_grad)
optimizer = torch.optim.AdamW(lora, lr=3e-4, weight_decay=0.0)
data = torch.Generator().manual_seed(args.seed + 1)
torch.manual_seed(args.seed + 2)  # dropout masks


def step(ids):
    optimizer.zero_grad(set_to_none=True)
    loss = model(ids)
    loss.backward()
    norm = torch.nn.utils.clip_grad_norm_(lora, 1.0)
    optimizer.step()
    return loss.item(), norm.item()


wall, cpu, losses, norms = [], [], [], []
for i in range(args.warmup + args.steps):
    ids = torch.randint(0, V, (B, T), generator=data)
    t0, c0 = time.perf_counter(), time.process_time()
    loss, norm = step(ids)
    t1, c1 = time.perf_counter(), time.process_time()
    losses.append(loss)
    norms.append(norm)
    if i >= args.warmup:
        wall.append(t1 - t0)
        cpu.append(c1 - c0)

grad_a_nonzero = all(m.lora_A.grad is not None and m.lora_A.grad.abs().sum().item() > 0
                     for m in model.modules() if isinstance(m, LoraLinear))
blas = sorted({line.split()[-1] for line in open("/proc/self/maps") if "blas" in line.split()[-1]})
median = statistics.median(wall)
print(json.dumps({
    "torch": torch.__version__,
    "threads": args.threads,
    "torch_num_threads": torch.get_num_threads(),
    "dropout": args.dropout,
    "checkpointing": args.checkpointing,
    "batch": B, "seq": T, "tokens_per_step": B * T,
    "frozen_params": frozen,
    "trainable_params": sum(p.numel() for p in lora),
    "warmup_steps": args.warmup,
    "step_ms": [round(s * 1000, 1) for s in wall],
    "median_ms": round(median * 1000, 1),
    "tokens_per_s": round(B * T / median, 1),
    "step_cpu_s": [round(c, 3) for c in cpu],
    "median_cpu_s": round(statistics.median(cpu), 3),
    "peak_rss_bytes": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024,
    "losses": [round(x, 5) for x in losses],
    "grad_norms": [round(x, 5) for x in norms],
    "grad_A_nonzero": grad_a_nonzero,
    "blas": blas,
}))
