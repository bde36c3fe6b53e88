package dev.ferry.bench.compare;

import org.jfree.chart.ChartUtils;
import org.jfree.chart.JFreeChart;
import org.jfree.chart.axis.AxisState;
import org.jfree.chart.axis.LogAxis;
import org.jfree.chart.axis.NumberAxis;
import org.jfree.chart.axis.NumberTick;
import org.jfree.chart.axis.NumberTickUnit;
import org.jfree.chart.axis.TickType;
import org.jfree.chart.plot.DefaultDrawingSupplier;
import org.jfree.chart.plot.XYPlot;
import org.jfree.chart.renderer.xy.XYLineAndShapeRenderer;
import org.jfree.chart.title.TextTitle;
import org.jfree.chart.ui.RectangleEdge;
import org.jfree.chart.ui.RectangleInsets;
import org.jfree.chart.ui.TextAnchor;
import org.jfree.data.xy.XYSeries;
import org.jfree.data.xy.XYSeriesCollection;

import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;
import java.awt.Graphics2D;
import java.awt.Shape;
import java.awt.geom.Rectangle2D;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.text.DecimalFormat;
import java.text.DecimalFormatSymbols;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The comparison's plots, drawn headless into PNG files beside {@code compare.md}:
 * {@code throughput.png}, median MiB/s against event size, and {@code latency.png}, each contender's
 * latency percentile spectrum from its {@code raw/NAME.latency.hgrm}.
 * <p>
 * Drawing text needs fonts: a JDK on a machine without fontconfig or any font fails here (Debian and
 * Ubuntu: {@code apt-get install fontconfig fonts-dejavu-core}); {@link Compare} reports that and
 * writes the rest of the report without plots.
 */
final class ComparePlots
{
    /**
     * Width of each plot in pixels.
     */
    static final int WIDTH = 1100;

    /**
     * Height of each plot in pixels.
     */
    static final int HEIGHT = 650;

    /**
     * File name of the throughput plot.
     */
    static final String THROUGHPUT_PNG = "throughput.png";

    /**
     * File name of the latency plot.
     */
    static final String LATENCY_PNG = "latency.png";

    /**
     * One colour per contender, by its place in {@link Contenders#NAMES}, so that a contender has the same
     * colour (and marker) in both plots and in every run; distinct on white (Tableau's ten).
     */
    private static final Color[] PALETTE = {
        new Color(0x4E79A7), new Color(0xE15759), new Color(0xF28E2B), new Color(0x76B7B2), new Color(0x59A14F),
        new Color(0xB07AA1), new Color(0x9C755F), new Color(0xEDC948), new Color(0xFF9DA7), new Color(0xBAB0AC)};

    private static final double DECADE_MARGIN = 1.04;

    private ComparePlots()
    {
    }

    /**
     * Draw every plot there is data for.
     *
     * @param out      the directory of the report.
     * @param report   the results.
     * @param throughputSubtitle a line under the throughput plot's title: the machine and the run.
     * @param latencySubtitle    a line under the latency plot's title: the machine and the latency run.
     * @return the file names of the plots written, relative to {@code out}.
     * @throws IOException if a file cannot be read or written.
     */
    static List<String> write(
        final Path out, final CompareReport report, final String throughputSubtitle, final String latencySubtitle)
        throws IOException
    {
        if (null == System.getProperty("java.awt.headless"))
        {
            System.setProperty("java.awt.headless", "true");
        }
        final List<String> written = new ArrayList<>();
        final JFreeChart throughput = throughputChart(report, throughputSubtitle);
        if (null != throughput)
        {
            save(throughput, out.resolve(THROUGHPUT_PNG));
            written.add(THROUGHPUT_PNG);
        }
        final JFreeChart latency = latencyChart(out.resolve("raw"), report.contenders(), latencySubtitle);
        if (null != latency)
        {
            save(latency, out.resolve(LATENCY_PNG));
            written.add(LATENCY_PNG);
        }
        return written;
    }

    /**
     * Draw the whole chart before the file is made, so that a failure to draw (no font) leaves no broken file.
     */
    private static void save(final JFreeChart chart, final Path file) throws IOException
    {
        final BufferedImage image = chart.createBufferedImage(WIDTH, HEIGHT);
        try (OutputStream png = Files.newOutputStream(file))
        {
            ChartUtils.writeBufferedImageAsPNG(png, image);
        }
    }

    private static JFreeChart throughputChart(final CompareReport report, final String subtitle)
    {
        final XYSeriesCollection dataset = new XYSeriesCollection();
        final List<Long> sizes = new ArrayList<>();
        double lowest = Double.POSITIVE_INFINITY;
        double highest = 0;
        for (final String contender : report.contenders())
        {
            final XYSeries series = new XYSeries(contender);
            for (final CompareReport.Summary summary : report.summaries())
            {
                if (summary.contender().equals(contender) && summary.medianMibPerS() > 0)
                {
                    series.add(log2(summary.size()), summary.medianMibPerS());
                    lowest = Math.min(lowest, summary.medianMibPerS());
                    highest = Math.max(highest, summary.medianMibPerS());
                    if (!sizes.contains(summary.size()))
                    {
                        sizes.add(summary.size());
                    }
                }
            }
            if (!series.isEmpty())
            {
                dataset.addSeries(series);
            }
        }
        if (0 == dataset.getSeriesCount())
        {
            return null;
        }
        sizes.sort(Long::compare);
        final List<Double> tickValues = new ArrayList<>();
        final List<String> tickLabels = new ArrayList<>();
        for (final long size : sizes)
        {
            tickValues.add(log2(size));
            tickLabels.add(CompareReport.formatSize(size));
        }
        final FixedTickAxis x = new FixedTickAxis("event size", tickValues, tickLabels);
        x.setRange(log2(sizes.get(0)) - 0.5, log2(sizes.get(sizes.size() - 1)) + 0.5);
        final LogAxis y = decadeAxis("median MiB/s (log scale)", lowest, highest);
        return chart("Throughput: median MiB/s by event size", subtitle, dataset, x, y);
    }

    private static JFreeChart latencyChart(final Path rawDir, final List<String> contenders, final String subtitle)
        throws IOException
    {
        final XYSeriesCollection dataset = new XYSeriesCollection();
        double lowest = Double.POSITIVE_INFINITY;
        double highest = 0;
        double widest = 1;
        for (final String contender : contenders)
        {
            final Path file = rawDir.resolve(contender + ".latency.hgrm");
            if (!Files.isRegularFile(file))
            {
                continue;
            }
            final XYSeries series = new XYSeries(contender, false, true);
            for (final double[] point : readPercentiles(Files.readAllLines(file, StandardCharsets.UTF_8)))
            {
                if (point[1] > 0)
                {
                    final double nines = nines(point[0]);
                    series.add(nines, point[1]);
                    lowest = Math.min(lowest, point[1]);
                    highest = Math.max(highest, point[1]);
                    widest = Math.max(widest, nines);
                }
            }
            if (!series.isEmpty())
            {
                dataset.addSeries(series);
            }
        }
        if (0 == dataset.getSeriesCount())
        {
            return null;
        }
        final List<Double> tickValues = new ArrayList<>();
        final List<String> tickLabels = new ArrayList<>();
        tickValues.add(0.0);
        tickLabels.add("0%");
        tickValues.add(nines(0.5));
        tickLabels.add("50%");
        for (int nines = 1; nines <= widest * 1.02; nines++)
        {
            tickValues.add((double)nines);
            tickLabels.add(percentileLabel(nines));
        }
        final FixedTickAxis x = new FixedTickAxis("percentile", tickValues, tickLabels);
        x.setRange(0, widest * 1.02);
        final LogAxis y = decadeAxis("latency, µs (log scale)", lowest, highest);
        final JFreeChart chart = chart("Latency percentile spectrum", subtitle, dataset, x, y);
        ((XYLineAndShapeRenderer)chart.getXYPlot().getRenderer()).setDefaultShapesVisible(false);
        return chart;
    }

    /**
     * Read HdrHistogram's percentile distribution, as {@code Histogram.outputPercentileDistribution} writes it.
     *
     * @param lines of the file.
     * @return {percentile as a fraction below 1, value} per row, in file order; the last row (percentile 1,
     * which has no place on a "1/(1-p)" axis and is written without its fourth column) left out.
     * @throws IllegalArgumentException naming a row that is not three or four numbers.
     */
    static List<double[]> readPercentiles(final List<String> lines)
    {
        final List<double[]> points = new ArrayList<>();
        for (final String line : lines)
        {
            final String text = line.trim();
            if (text.isEmpty() || text.startsWith("#") || text.startsWith("Value"))
            {
                continue;
            }
            final String[] fields = text.split("\\s+");
            if (fields.length < 3 || fields.length > 4)
            {
                throw new IllegalArgumentException("not a row of HdrHistogram's percentile distribution: " + line);
            }
            try
            {
                final double[] numbers = new double[fields.length];
                for (int i = 0; i < fields.length; i++)
                {
                    numbers[i] = Double.parseDouble(fields[i]);
                }
                if (numbers[1] < 1.0)
                {
                    points.add(new double[]{numbers[1], numbers[0]});
                }
            }
            catch (final NumberFormatException ex)
            {
                throw new IllegalArgumentException("not a row of HdrHistogram's percentile distribution: " + line, ex);
            }
        }
        return points;
    }

    /**
     * The place of a percentile on the classic spectrum axis: log10 of 1/(1-p), so 90% is 1, 99% is 2.
     *
     * @param percentile as a fraction below 1.
     * @return the number of nines.
     */
    static double nines(final double percentile)
    {
        return Math.log10(1.0 / (1.0 - percentile));
    }

    /**
     * @param nines a whole number of nines, at least 1.
     * @return the percentile: 90%, 99%, 99.9%, 99.99%...
     */
    static String percentileLabel(final int nines)
    {
        if (nines <= 2)
        {
            return 1 == nines ? "90%" : "99%";
        }
        return "99." + "9".repeat(nines - 2) + "%";
    }

    private static double log2(final long size)
    {
        return Math.log(size) / Math.log(2);
    }

    private static LogAxis decadeAxis(final String label, final double lowest, final double highest)
    {
        final LogAxis axis = new LogAxis(label);
        axis.setBase(10);
        final DecimalFormat plain = new DecimalFormat("#,##0.###", DecimalFormatSymbols.getInstance(Locale.ROOT));
        axis.setNumberFormatOverride(plain);
        axis.setTickUnit(new NumberTickUnit(1.0, plain, 9), false, false);
        axis.setAutoTickUnitSelection(false);
        final double bottom = Math.pow(10, Math.floor(Math.log10(lowest)));
        double top = Math.pow(10, Math.ceil(Math.log10(highest)));
        if (top <= bottom)
        {
            top = bottom * 10;
        }
        // a little beyond the decades, so that rounding in the axis' logarithms keeps their ticks in range
        axis.setRange(bottom / DECADE_MARGIN, top * DECADE_MARGIN);
        return axis;
    }

    private static JFreeChart chart(
        final String title, final String subtitle, final XYSeriesCollection dataset, final NumberAxis x, final LogAxis y)
    {
        final XYLineAndShapeRenderer renderer = new XYLineAndShapeRenderer(true, true);
        final Shape[] shapes = DefaultDrawingSupplier.createStandardSeriesShapes();
        for (int i = 0; i < dataset.getSeriesCount(); i++)
        {
            final String contender = (String)dataset.getSeriesKey(i);
            final int known = Contenders.NAMES.indexOf(contender);
            final int place = known < 0 ? Math.floorMod(contender.hashCode(), PALETTE.length) : known;
            renderer.setSeriesPaint(i, PALETTE[place % PALETTE.length]);
            renderer.setSeriesShape(i, shapes[place % shapes.length]);
            renderer.setSeriesStroke(i, new BasicStroke(CompareReport.FERRY.equals(contender) ? 3.5f : 2.0f));
        }
        final XYPlot plot = new XYPlot(dataset, x, y, renderer);
        plot.setBackgroundPaint(Color.WHITE);
        plot.setDomainGridlinePaint(Color.LIGHT_GRAY);
        plot.setRangeGridlinePaint(Color.LIGHT_GRAY);
        plot.setRangeMinorGridlinesVisible(true);
        plot.setRangeMinorGridlinePaint(new Color(0xEEEEEE));
        final JFreeChart chart = new JFreeChart(title, JFreeChart.DEFAULT_TITLE_FONT, plot, true);
        chart.setBackgroundPaint(Color.WHITE);
        chart.setPadding(new RectangleInsets(4, 4, 4, 28)); // room for the last tick label of the x axis
        chart.addSubtitle(new TextTitle(subtitle, new Font(Font.SANS_SERIF, Font.PLAIN, 12)));
        return chart;
    }

    /**
     * A linear axis whose ticks are given, each with its label: event sizes on a log2 scale, percentiles on
     * the spectrum's scale.
     */
    static final class FixedTickAxis extends NumberAxis
    {
        private static final long serialVersionUID = 1L;

        private final List<Double> values;
        private final List<String> labels;

        /**
         * @param label  of the axis.
         * @param values where the ticks are, in axis units.
         * @param labels of the ticks, one per value.
         */
        FixedTickAxis(final String label, final List<Double> values, final List<String> labels)
        {
            super(label);
            this.values = List.copyOf(values);
            this.labels = List.copyOf(labels);
            setAutoRangeIncludesZero(false);
        }

        @Override
        public List<NumberTick> refreshTicks(
            final Graphics2D g2, final AxisState state, final Rectangle2D dataArea, final RectangleEdge edge)
        {
            final boolean horizontal = RectangleEdge.isTopOrBottom(edge);
            final TextAnchor anchor = horizontal ?
                (RectangleEdge.TOP == edge ? TextAnchor.BOTTOM_CENTER : TextAnchor.TOP_CENTER) :
                (RectangleEdge.LEFT == edge ? TextAnchor.CENTER_RIGHT : TextAnchor.CENTER_LEFT);
            final List<NumberTick> ticks = new ArrayList<>();
            for (int i = 0; i < values.size(); i++)
            {
                if (getRange().contains(values.get(i)))
                {
                    ticks.add(new NumberTick(TickType.MAJOR, values.get(i), labels.get(i), anchor, anchor, 0.0));
                }
            }
            return ticks;
        }
    }
}
