/* model_fuzz_seeds.c: writes the seed inputs of fuzz/corpus/model_load/ (config.json text, a NUL,
 * then a safetensors image of tiny random weights written by aif_safetensors_save).
 * Build and run from the repository root after `make`:
 *   cc -std=c11 -D_GNU_SOURCE -Iinclude scripts/model_fuzz_seeds.c build/libaif.a -ljansson -lpthread -lm \
 *      -o /tmp/seeds && /tmp/seeds */
#include <unistd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "aif/aif.h"
#include "aif/model.h"
#include "aif/safetensors.h"
#include "aif/fs.h"
static void seed(const char *out, const char *cfg, aif_dtype dt, int drop_last)
{
    aif_model_config c; aif_err err;
    if (aif_model_config_parse(cfg, strlen(cfg), "c", &c, &err)) { fprintf(stderr, "%s\n", err.msg); exit(1); }
    int64_t D=c.hidden_size,I=c.intermediate_size,Q=c.n_heads*c.head_dim,KV=c.n_kv_heads*c.head_dim,V=c.vocab_size;
    aif_st_write w[64]; char names[64][80]; int64_t shp[64][2]; void *bufs[64]; int n=0; unsigned s=1;
#define ADD(nm, r, cc) do { snprintf(names[n],80,"%s",nm); shp[n][0]=r; shp[n][1]=cc; size_t ne=(size_t)(r*(cc?cc:1)); \
      size_t es=aif_dtype_size(dt); unsigned char *b=malloc(ne*es); for(size_t i=0;i<ne;i++){ s=s*1103515245u+12345u; float f=((float)((s>>8)&0xffff)/65536.0f-0.5f); \
      if(dt==AIF_DTYPE_F32) memcpy(b+4*i,&f,4); else { uint16_t h=aif_f32_to_bf16(f); memcpy(b+2*i,&h,2);} } \
      bufs[n]=b; w[n]=(aif_st_write){names[n],dt,cc?2:1,shp[n],b}; n++; } while(0)
    char nm[80];
    ADD("model.embed_tokens.weight", V, D); ADD("model.norm.weight", D, 0);
    if (!c.tie_word_embeddings) ADD("lm_head.weight", V, D);
    for (int l=0;l<c.n_layers;l++){
#define L(x) (snprintf(nm,80,"model.layers.%d." x,l),nm)
      ADD(L("input_layernorm.weight"),D,0); ADD(L("post_attention_layernorm.weight"),D,0);
      ADD(L("self_attn.q_proj.weight"),Q,D); ADD(L("self_attn.k_proj.weight"),KV,D); ADD(L("self_attn.v_proj.weight"),KV,D);
      ADD(L("self_attn.o_proj.weight"),D,Q);
      if (c.qkv_bias) { ADD(L("self_attn.q_proj.bias"),Q,0); ADD(L("self_attn.k_proj.bias"),KV,0); ADD(L("self_attn.v_proj.bias"),KV,0); }
      ADD(L("mlp.gate_proj.weight"),I,D); ADD(L("mlp.up_proj.weight"),I,D); ADD(L("mlp.down_proj.weight"),D,I);
    }
    char tmp[256]; snprintf(tmp,sizeof tmp,"/tmp/seed_%d.st",getpid());
    if (aif_safetensors_save(tmp, w, (size_t)(n - drop_last), NULL, 0, &err)) { fprintf(stderr,"%s\n",err.msg); exit(1); }
    char *st; size_t len; aif_fs_read_file(tmp, 1<<24, &st, &len, &err);
    FILE *f=fopen(out,"wb"); fwrite(cfg,1,strlen(cfg),f); fputc(0,f); fwrite(st,1,len,f); fclose(f);
    aif_free(st); remove(tmp); for(int i=0;i<n;i++) free(bufs[i]);
}
int main(void){
  seed("fuzz/corpus/model_load/llama_f32", "{\"model_type\":\"llama\",\"hidden_size\":8,\"intermediate_size\":12,\"num_hidden_layers\":1,\"num_attention_heads\":2,\"num_key_value_heads\":1,\"vocab_size\":11,\"tie_word_embeddings\":true,\"rope_scaling\":{\"rope_type\":\"llama3\",\"factor\":8,\"low_freq_factor\":1,\"high_freq_factor\":4,\"original_max_position_embeddings\":16}}", AIF_DTYPE_F32, 0);
  seed("fuzz/corpus/model_load/qwen2_bf16", "{\"model_type\":\"qwen2\",\"hidden_size\":8,\"intermediate_size\":6,\"num_hidden_layers\":2,\"num_attention_heads\":4,\"num_key_value_heads\":2,\"vocab_size\":5,\"rope_theta\":1000000}", AIF_DTYPE_BF16, 0);
  seed("fuzz/corpus/model_load/missing_tensor", "{\"model_type\":\"llama\",\"hidden_size\":4,\"intermediate_size\":4,\"num_hidden_layers\":1,\"num_attention_heads\":1,\"vocab_size\":3}", AIF_DTYPE_BF16, 1);
  return 0;}
