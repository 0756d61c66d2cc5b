#!/usr/bin/env python3
# scale_fuzz_corpus.py: writes the hand-built metadata seeds of fuzz/corpus/scale_metadata/
# (a minimal V14 and V15 with one pallet, storage, a constant, a call enum, a runtime API,
# and hostile variants). Run from the repository root.
def c(n):
    if n < 64: return bytes([n<<2])
    if n < 1<<14: return ((n<<2)|1).to_bytes(2,'little')
    if n < 1<<30: return ((n<<2)|2).to_bytes(4,'little')
    b = n.to_bytes((n.bit_length()+7)//8,'little'); return bytes([((len(b)-4)<<2)|3])+b
def s(x): x=x.encode(); return c(len(x))+x
def vec(items): return c(len(items))+b''.join(items)
def blob(x): return c(len(x))+x
NONE=b'\x00'
def some(x): return b'\x01'+x
types = vec([
  c(0) + vec([]) + vec([]) + b'\x05\x03' + vec([]),
  c(1) + vec([s('sp_core'),s('crypto'),s('AccountId32')]) + vec([]) + b'\x00' + vec([NONE + c(2) + some(s('[u8; 32]')) + vec([])]) + vec([s('doc')]),
  c(2) + vec([]) + vec([]) + b'\x03' + (32).to_bytes(4,'little') + c(0) + vec([]),
  c(3) + vec([s('Option')]) + vec([s('T')+some(c(0))]) + b'\x01' + vec([s('None')+vec([])+b'\x00'+vec([]), s('Some')+vec([NONE+c(0)+NONE+vec([])])+b'\x01'+vec([])]) + vec([]),
])
def pallet(v15):
    st = some(s('P') + vec([
        s('E') + b'\x01' + b'\x01' + vec([b'\x02']) + c(1) + c(0) + blob(b'\x05') + vec([]),
        s('N') + b'\x00' + b'\x00' + c(3) + blob(b'') + vec([]),
    ]))
    p = s('P') + st + some(c(3)) + NONE + vec([s('C') + c(1) + blob(b'\x11'*32) + vec([s('d')])]) + NONE + b'\x07'
    if v15: p += vec([s('pallet doc')])
    return p
ext14 = c(0) + b'\x04' + vec([s('X') + c(0) + c(0)])
v14 = b'meta\x0e' + types + vec([pallet(False)]) + ext14 + c(0)
ext15 = b'\x04' + c(1) + c(3) + c(0) + c(0) + vec([s('X') + c(0) + c(0)])
apis = vec([s('A') + vec([s('m') + vec([s('x')+c(0)]) + c(1) + vec([])]) + vec([])])
v15 = b'meta\x0f' + types + vec([pallet(True)]) + ext15 + c(0) + apis + c(3)+c(3)+c(3) + vec([s('k')+c(0)+blob(b'\x01')])
d='fuzz/corpus/scale_metadata/'
open(d+'v14_min','wb').write(v14)
open(d+'v15_min','wb').write(v15)
open(d+'v15_wrapped','wb').write(b'\x01'+c(len(v15))+v15)
open(d+'truncated','wb').write(v14[:len(v14)//2])
open(d+'bad_version','wb').write(b'meta\x0d'+v14[5:])
open(d+'bad_type_id','wb').write(v14[:-1]+c(60))
open(d+'huge_count','wb').write(b'meta\x0e\x03\xff\xff\xff\xff')
open(d+'wrapped_bad_len','wb').write(b'\x01'+c(len(v15)+1)+v15)
