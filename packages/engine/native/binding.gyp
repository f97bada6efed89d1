{
  "targets": [
    {
      "target_name": "ssseg_native",
      "sources": ["addon.cc", "common.cc", "conv.cc", "matmul.cc", "resize.cc", "softmax.cc", "elementwise.cc", "gather.cc", "pool.cc", "batch_norm.cc", "batch_norm_train.cc", "optimizer.cc", "affinity_kl.cc", "concat.cc"],
      "cflags_cc!": ["-fno-exceptions", "-fno-rtti"],
      "cflags_cc": ["-std=c++17", "-O3", "-fexceptions", "-fopenmp", "-fno-trapping-math", "-fno-math-errno"],
      "ldflags": ["-fopenmp"],
      "libraries": ["-ldnnl", "-lgomp"]
    }
  ]
}
