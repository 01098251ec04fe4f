package org.osum4j.text;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.*;

class TextNormTest {

    @Test
    void processText_removesSpacesAroundChineseCharacters() {
        assertEquals("时间对珍妮来说是没有用的", TextNorm.processText("时间 对 珍妮  来说 是没有用的"));
        assertEquals("我爱you", TextNorm.processText("我 爱 you"));
    }

    @Test
    void processText_keepsSpacesBetweenEnglishWords() {
        assertEquals("it looks much better", TextNorm.processText("It Looks MUCH better"));
    }

    @Test
    void processText_removesSpacesAroundAngleBracketsAndLowercasesTags() {
        assertEquals("it looks much better<happy>", TextNorm.processText("it looks much better < HAPPY >"));
        assertEquals("说做得还真是棒<female>", TextNorm.processText("说 做得 还真是棒 <Female>"));
        assertEquals("<adult><female>", TextNorm.processText(" <adult> <female> "));
    }

    @Test
    void processText_sttcSeparatorKeptTight() {
        assertEquals("你好<开始回答>你好呀", TextNorm.processText("你好 <开始回答> 你好 呀"));
    }

    @Test
    void processText_punctuationAndFullWidthUntouched() {
        assertEquals("你好，world!", TextNorm.processText("你好 ，World!"));
    }
}
