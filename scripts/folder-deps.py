# A copy of the notes' deps.py (text scan of Orchard.Domain: which folder names a type declared in which), plus an SCC check.
# Usage: python3 scripts/folder-deps.py Orchard.Domain [-g]
import os,re,sys,collections
root=sys.argv[1] if len(sys.argv)>1 else '/work/main/Orchard.Domain'
decl=re.compile(r'\b(?:class|record|struct|interface|enum)\s+(?:struct\s+|class\s+)?([A-Z]\w*)')
files={}
for dp,dn,fn in os.walk(root):
    if '/bin' in dp or '/obj' in dp: continue
    for f in fn:
        if f.endswith('.cs'):
            p=os.path.join(dp,f); rel=os.path.relpath(p,root)
            folder=rel.split('/')[0] if '/' in rel else '.'
            files[p]=(folder,open(p).read())
owner={}
for p,(fo,t) in files.items():
    t2=re.sub(r'//.*','',t)
    for m in decl.finditer(t2):
        owner.setdefault(m.group(1),set()).add(fo)
edges=collections.defaultdict(lambda: collections.defaultdict(set))
ident=re.compile(r'\b[A-Z]\w*\b')
for p,(fo,t) in files.items():
    t2=re.sub(r'//.*','',t); t2=re.sub(r'"(?:[^"\\]|\\.)*"','""',t2)
    for w in set(ident.findall(t2)):
        for o in owner.get(w,()):
            if o!=fo and len(owner[w])==1: edges[fo][o].add((w,os.path.relpath(p,root)))
pairs=[]
for a in edges:
    for b in edges[a]:
        if a<b and a in edges.get(b,{}): pairs.append((a,b))
for a,b in sorted(pairs):
    print(f"{a}<->{b}")
    print("   ",a,"->",b,":",sorted({w+'@'+f.split('/')[-1] for w,f in edges[a][b]})[:12])
    print("   ",b,"->",a,":",sorted({w+'@'+f.split('/')[-1] for w,f in edges[b][a]})[:12])
# SCC
import itertools
g={a:set(edges[a].keys()) for a in edges}
if '-g' in sys.argv:
  for a in sorted(g): print(a,'->',sorted(g[a]))
# Strongly connected components (Tarjan): a set of two or more folders that reach each other is a cycle of any
# length (A->B->C->A), not only an A<->B pair. Exits 1 when there is one, so a script can gate on it.
index={}; low={}; stack=[]; on=set(); sccs=[]
def visit(v):
    index[v]=low[v]=len(index); stack.append(v); on.add(v)
    for w in sorted(g.get(v,())):
        if w not in index:
            visit(w); low[v]=min(low[v],low[w])
        elif w in on:
            low[v]=min(low[v],index[w])
    if low[v]==index[v]:
        comp=[]
        while True:
            w=stack.pop(); on.discard(w); comp.append(w)
            if w==v: break
        if len(comp)>1: sccs.append(sorted(comp))
for v in sorted(set(g)|{w for s in g.values() for w in s}):
    if v not in index: visit(v)
for c in sccs: print("cycle among:", ", ".join(c))
print(f"{len(sccs)} cycle(s) among {len(set(g)|{w for s in g.values() for w in s})} folders")
sys.exit(1 if sccs else 0)
