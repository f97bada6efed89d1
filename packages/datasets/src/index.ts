export { datasetsPlugin } from './plugin';
export { readImage, type DecodedImage } from './io/image';
export { readLabelPng, type LabelMap } from './io/label-png';
export { readSplitFile, formatSplitLines, type SplitEntry, type ReadSplitOptions } from './splits/split-file';
export { prepareSplits, type PrepareSplitsOptions, type PreparedSplits } from './splits/prepare-splits';
export { FileSampleSource, classIndexDecoder, type LabelDecoder } from './readers/file-source';
export { PascalVocDataset, VOC_CLASSES } from './readers/pascal-voc';
export { SplitDataset, SplitDatasetOptions, splitFiles } from './readers/split-dataset';
export { CityscapesDataset, CITYSCAPES_CLASSES, CITYSCAPES_TRAIN_IDS, labelIdDecoder } from './readers/cityscapes';
export { MnistSegDataset, MnistSegOptions, MNIST_SEG_CLASSES } from './mnist/mnist-seg';
export { readMnist, mnistDataDir, type MnistDigits } from './mnist/idx';
export { compositeDigits, MNIST_STYLE } from './mnist/composite';
export { FashionSegDataset, FashionSegOptions, FASHION_SEG_CLASSES } from './fashion/fashion-seg';
export { readFashionMnist, fashionMnistDir, FASHION_MNIST_DIR } from './fashion/fashion-files';
export { FASHION_STYLE } from './fashion/fashion-style';
export { CompositeDataset, COMPOSITE_DATASET_OPTIONS, type CompositeDatasetSpec } from './composite/composite-dataset';
export { compositeItems, type CompositeOptions, type CompositeStyle, type Composite } from './composite/composite-items';
export { drawItem, type Item, type ItemPaint, type Layer } from './composite/draw-item';
export { readIdxPair, type LabelledImages } from './composite/idx';
export { defaultCacheDir } from './composite/cache';
export { RandomRescale, RandomCrop, HorizontalFlip } from './augment/geometric';
export { ColorJitter, RandomGrayscale, GaussianBlur, gaussianBlur, gaussianKernel, adjustBrightness, adjustContrast, adjustSaturation, adjustHue } from './augment/photometric';
export { CutMixBox, drawCutMixBox, applyCutMix, type CutMixBoxOptions } from './augment/cutmix';
export { resizeImageBilinear, resizeLabelsNearest } from './augment/resize';
export {
  AugmentationPipeline, BUILTIN_AUGMENTATIONS, buildAugmentations, buildBuiltinAugmentation, defaultWeakConfig, defaultStrongConfig,
  defaultWeakPipeline, defaultStrongPipeline, type AugmentationConfig, type BuildAugmentation,
} from './augment/pipeline';
export { DEFAULT_PREFETCH, DataLoader, createLoader, type LoaderOptions, type LoaderState } from './loader/loader';
export { collateLabelled, collateUnlabelled, type UnlabelledViews } from './loader/collate';
export { IMAGENET_NORMALISATION, normaliseInto, sampleToInput, type Normalisation } from './loader/normalise';
export { validationBatches, type ValidationBatch } from './loader/validation';
export { inspectDataset, formatClassBalance, buildDataset, BUILTIN_DATASETS, type DatasetStats, type DatasetPart, type InspectOptions } from './inspect/inspect';
export { runLoaderBench, type LoaderBenchOptions, type LoaderBenchResult } from './bench/loader-bench';
